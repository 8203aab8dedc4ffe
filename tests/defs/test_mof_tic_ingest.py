"""MOF and TIC ingestion as real Dagster runs against the replica over real HTTP."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import requests

from pipelines.defs.mof.flows import mof_securities_flows
from pipelines.defs.mof.jgb import mof_jgb_yields
from pipelines.defs.outcomes import build_outcome_checks
from pipelines.defs.tic.holdings import tic_major_foreign_holders
from pipelines.replica import Replica
from tests.defs.conftest import fast_resources

JGB_HISTORY = "/english/policy/jgbs/reference/interest_rate/historical/jgbcme_all.csv"
JGB_CURRENT = "/english/policy/jgbs/reference/interest_rate/jgbcme.csv"
CHECKSUM = "SELECT count(*), round(sum(yield_pct), 6) FROM staging.jgb_yields"
ASSETS = [mof_jgb_yields, mof_securities_flows, tic_major_foreign_holders]


def run(assets_dir: Path, assets=ASSETS) -> dg.ExecuteInProcessResult:
    """The assets and the run's `refresh_outcomes` gate, which fails the run if one failed."""
    gate = build_outcome_checks([k for a in assets for k in a.keys])
    return dg.materialize([*assets, gate], resources=fast_resources(assets_dir),
                          raise_on_error=False)


def outcomes(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    """asset key -> outcome (loaded, unchanged, failed) this run reported."""
    return {e.asset_key.to_user_string(): e.materialization.metadata["outcome"].value
            for e in result.get_asset_materialization_events()}


def query(assets_dir: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(assets_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def jgb_cells(text: str) -> dict[str, str]:
    """(date text, tenor label) -> value for every non-missing cell, read with csv alone."""
    rows = list(csv.reader(io.StringIO(text)))
    header = next(r for r in rows if r and r[0] == "Date")
    cells = {}
    for r in rows:
        if r and r[0][:1].isdigit() and "/" in r[0]:
            for label, v in zip(header[1:], r[1:], strict=False):
                if v != "-":
                    cells[(r[0], label)] = v
    return cells


def test_first_run_lands_every_jgb_cell_the_replica_serves(replica: Replica, pipeline_env):
    result = run(pipeline_env)
    assert result.success, result.get_step_failure_events()
    history = requests.get(replica.url + JGB_HISTORY, timeout=10).content.decode("cp932")
    current = requests.get(replica.url + JGB_CURRENT, timeout=10).content.decode("cp932")
    expected = jgb_cells(history) | jgb_cells(current)
    (count,) = query(pipeline_env, "SELECT count(*) FROM staging.jgb_yields")[0]
    assert count == len(expected)
    jgb = next(e.materialization.metadata for e in result.get_asset_materialization_events()
               if e.asset_key.to_user_string() == "mof/jgb_yields")
    assert jgb["dagster/row_count"].value == len(expected)
    assert [c.name for c in jgb["dagster/column_schema"].value.columns] == [
        "date", "tenor_years", "yield_pct", "source_file"]
    some_date, some_label = next(iter(sorted(expected)))
    y, m, d = (int(x) for x in some_date.split("/"))
    got = query(pipeline_env, "SELECT yield_pct FROM staging.jgb_yields"
                " WHERE date = make_date(?, ?, ?) AND tenor_years = ?",
                [y, m, d, int(some_label[:-1])])
    assert got == [(float(expected[(some_date, some_label)]),)]
    report = (pipeline_env / "serving" / "validation.html").read_text()
    assert "staging.jgb_yields" in report and "values_in_plausible_range" in report


def test_tic_and_flows_land_with_their_keys(pipeline_env):
    result = run(pipeline_env)
    assert result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialized == {
        "mof/jgb_yields", "mof/securities_flows_weekly", "mof/securities_flows_monthly",
        "mof/securities_flows_by_investor", "tic/tic_holdings",
    }
    (japan,) = query(pipeline_env, "SELECT count(*) FROM staging.tic_holdings"
                     " WHERE holder_code = 'japan'")[0]
    assert japan > 300  # March 2000 to the latest release, one row a month


def test_second_run_with_nothing_new_parses_and_writes_nothing(replica: Replica, pipeline_env):
    assert run(pipeline_env).success
    history_rows = query(pipeline_env, "SELECT count(*) FROM staging.jgb_yields_history")
    before = len(replica.requests)
    second = run(pipeline_env)
    assert second.success
    assert set(outcomes(second).values()) == {"unchanged"}  # reported, same data version
    statuses = [r.status for r in replica.requests[before:]]
    assert statuses == [304] * len(statuses) and len(statuses) == 7  # one request per file
    assert query(pipeline_env, "SELECT count(*) FROM staging.jgb_yields_history") == history_rows


@pytest.mark.parametrize("fault", ["truncate", "html200"])
def test_bad_body_fails_clearly_and_keeps_previous_tables(replica: Replica, pipeline_env, fault):
    assert run(pipeline_env).success
    before = query(pipeline_env, CHECKSUM)
    replica.publish_day()  # new data upstream, so the run has something to load
    replica.inject(JGB_CURRENT, fault, times=0)  # every attempt gets the bad body
    result = run(pipeline_env, [mof_jgb_yields])
    assert not result.success
    assert outcomes(result) == {"mof/jgb_yields": "failed"}
    (failure,) = result.get_step_failure_events()  # the gate, after everything else ran
    assert failure.step_key == "refresh_outcomes"
    message = failure.step_failure_data.user_failure_data.metadata["failed"].value[0]
    assert message.startswith(f"mof/jgb_yields: mof ({replica.url}{JGB_CURRENT})")
    assert ("truncated body" if fault == "truncate" else "received an HTML page") in message
    assert query(pipeline_env, CHECKSUM) == before
    kept = query(pipeline_env, "SELECT count(*) FROM raw.fetch_log WHERE problem IS NOT NULL")
    assert kept[0][0] >= 1  # the bad bytes are in the landing zone


def table5_from_history(history: bytes, months: int, revise_japan_by: float) -> bytes:
    """A Table 5 (FORMATS.md 3.1 layout) holding the history's newest months, read with csv.

    Japan's newest month (and so the Grand Total) is revised by `revise_japan_by`, as a
    later release would.
    """
    rows = list(csv.reader(io.StringIO(history.decode("ascii")), delimiter="\t"))
    month_row = next(i for i, r in enumerate(rows) if r[1:3] == ["Dec", "Nov"])
    year = rows[month_row + 1][1]
    labels = {"All Other": "All Other", "Grand Total": "Grand Total",
              "For. Official": "Of Which: Foreign Official",
              "Treasury Bills": "Of Which: Foreign Official Treasury Bills",
              "T-Bonds & Notes": "Of Which: Foreign Official T-Bonds & Notes"}
    header = ["Country"] + [f"{year}-{12 - i:02d}" for i in range(months)]
    lines = ["Table 5: Major Foreign Holders of Treasury Securities\t\t",
             "Billions of dollars\t\t", "\t\t", "\t".join(header)]
    for r in rows[month_row + 3:]:
        label = r[0].strip().rstrip("0123456789/ ").strip() if r else ""
        if label == "Department of the Treasury/Federal Reserve Board" or r[:1] == ["Country"]:
            break
        if not label or not r[1].strip() or label == "Of which:":
            continue
        values = [v.strip() for v in r[1:1 + months]]
        if label in ("Japan", "Grand Total"):
            values[0] = f"{float(values[0]) + revise_japan_by:.1f}"
        lines.append("\t".join([labels.get(label, label), *values]))
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def test_real_files_land_with_the_values_of_the_files(reference_dir, tmp_path, monkeypatch):
    """The publishers' real files, served at their real paths, land with their own values.

    Japanese JGB files (history to 2026-06-30 plus the October 2025 current-month file) and
    the real TIC history. No real Table 5 exists here, so one is built from the history's 2025
    columns with Japan's December revised: as the later release it wins for that month, and
    the history's value stays queryable as the earlier vintage.
    """
    history = (reference_dir / "tic" / "mfhhis01.txt").read_bytes()
    with Replica.start(data_dir=reference_dir, as_of=date(2026, 7, 31)) as rep:
        for key, value in rep.env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("AS_OF_DATE", "2026-03-31")
        monkeypatch.setenv("MOF_JGB_LANGUAGE", "ja")
        rep.put("/resource-center/data-chart-center/tic/Documents/slt_table5.txt",
                table5_from_history(history, months=12, revise_japan_by=0.0))
        first = run(tmp_path, [tic_major_foreign_holders])
        monkeypatch.setenv("AS_OF_DATE", "2026-07-31")
        rep.put("/resource-center/data-chart-center/tic/Documents/slt_table5.txt",
                table5_from_history(history, months=12, revise_japan_by=1.0))
        result = run(tmp_path, [mof_jgb_yields, tic_major_foreign_holders])
    assert first.success and result.success, result.get_step_failure_events()
    # Independent values read from the files with grep: jgbcm_all.csv's R8.6.30 row (2.69)
    # and R8.4.30 (2.52, as in jgbcme_all.csv); mfhhis01.txt line 252 (Japan, Dec-2020 1251.3)
    # and line 10 (Japan, Dec-2025 1185.5, revised by our Table 5 to 1186.5).
    assert query(tmp_path, "SELECT date, yield_pct FROM staging.jgb_yields"
                 " WHERE tenor_years = 10 AND date IN ('2026-04-30', '2026-06-30')"
                 " ORDER BY date") == [(date(2026, 4, 30), 2.52), (date(2026, 6, 30), 2.69)]
    assert query(tmp_path, "SELECT holdings_usd_bn, source_file FROM staging.tic_holdings"
                 " WHERE holder_code = 'japan' AND month = '2020-12-01'") == [
                     (1251.3, "mfhhis01.txt")]
    assert query(tmp_path, "SELECT holdings_usd_bn, source_file FROM staging.tic_holdings"
                 " WHERE holder_code = 'japan' AND month = '2025-12-01'") == [
                     (1186.5, "slt_table5.txt")]
    assert query(tmp_path, "SELECT holdings_usd_bn FROM staging.tic_holdings_history"
                 " WHERE holder_code = 'japan' AND month = '2025-12-01'"
                 " ORDER BY valid_from") == [(1185.5,), (1186.5,)]


def test_new_month_before_its_first_quote_loads_the_history(tmp_path, monkeypatch):
    """On 1 January the current-month file holds no row yet: that is not an error."""
    with Replica.start(as_of=date(2027, 1, 1)) as rep:
        for key, value in rep.env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("AS_OF_DATE", "2027-01-01")
        result = run(tmp_path, [mof_jgb_yields])
    assert result.success, result.get_step_failure_events()
    (last,) = query(tmp_path, "SELECT max(date) FROM staging.jgb_yields")[0]
    assert last.year == 2026 and last.month == 12
