"""Outcome history in meta.check_results and the analysts' HTML report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.lib.publish import ERROR, WARN, CheckOutcome
from pipelines.validation.report import write_report
from pipelines.validation.results import latest_outcomes, record_outcomes
from pipelines.validation.warehouse import query
from tests.validation import batches as b

T1 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def _outcome(name: str, passed: bool, severity: str = ERROR, **kw: Any) -> CheckOutcome:
    return CheckOutcome(name, passed, severity, f"{name} expects something.", **kw)


def test_history_is_kept_and_latest_is_per_asset_and_check() -> None:
    con = b.connect()
    record_outcomes(con, "staging.jgb_yields", "jgb_yields",
                    [_outcome("keys_unique", False, unexpected_count=2, sample=("2026-11-20",))],
                    run_id="r1", evaluated_at=T1)
    record_outcomes(con, "staging.jgb_yields", "jgb_yields", [_outcome("keys_unique", True)],
                    run_id="r2", evaluated_at=T2)
    record_outcomes(con, "staging.fred_observations", "DGS10",
                    [_outcome("keys_unique", True)], evaluated_at=T1)
    history = query(con, "SELECT run_id FROM meta.check_results ORDER BY evaluated_at, run_id")
    assert history.height == 3
    latest = latest_outcomes(con)
    assert latest.height == 2
    jgb = latest.filter(latest["asset_key"] == "jgb_yields").row(0, named=True)
    assert (jgb["passed"], jgb["run_id"]) == (True, "r2")
    comment = query(con, "SELECT comment FROM duckdb_tables() WHERE table_name = 'check_results'")
    assert "one row per check per evaluation" in comment["comment"][0]
    undocumented = query(con, "SELECT column_name FROM duckdb_columns()"
                              " WHERE table_name = 'check_results' AND comment IS NULL")
    assert undocumented.is_empty()


def test_report_shows_latest_outcomes_escaped(tmp_path: Path) -> None:
    con = b.connect()
    record_outcomes(con, "staging.tic_holdings", "tic_holdings", [
        _outcome("countries_sum_to_grand_total", False, unexpected_count=1,
                 sample=("2026-09-01: off by +1.0 bn", "<script>alert(1)</script>")),
        _outcome("fresh_as_of", False, WARN, unexpected_count=1, sample=("newest 2026-07-01",)),
        _outcome("keys_unique", True),
    ], evaluated_at=T2)
    path = write_report(con, tmp_path / "serving" / "validation.html")
    page = path.read_text(encoding="utf-8")
    assert path.name == "validation.html"
    assert "staging.tic_holdings" in page and "countries_sum_to_grand_total" in page
    assert "FAILED (blocking)" in page and "warning" in page and "passed" in page
    assert "2026-09-01: off by +1.0 bn" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "3 checks: 1 passed, 1 blocking failures, 1 warnings." in page
    assert [p.name for p in path.parent.iterdir()] == ["validation.html"]  # no temp file left


def test_report_before_any_check(tmp_path: Path) -> None:
    page = write_report(b.connect(), tmp_path / "validation.html").read_text(encoding="utf-8")
    assert "No checks have been recorded yet." in page


def test_report_from_a_read_only_copy(tmp_path: Path) -> None:
    """Serving copies are opened read-only; the report must not need to write to them."""
    db = tmp_path / "warehouse.duckdb"
    empty = duckdb.connect(str(db))
    empty.close()
    with duckdb.connect(str(db), read_only=True) as con:
        assert "No checks" in write_report(con, tmp_path / "a.html").read_text(encoding="utf-8")
    with duckdb.connect(str(db)) as con:
        record_outcomes(con, "staging.jgb_yields", "jgb_yields", [_outcome("keys_unique", True)])
    with duckdb.connect(str(db), read_only=True) as con:
        assert "keys_unique" in write_report(con, tmp_path / "b.html").read_text(encoding="utf-8")
