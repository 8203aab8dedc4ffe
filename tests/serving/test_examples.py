"""Every analyst example in sql/examples/ runs against a serving copy built from the real marts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.lib.tables import create_table
from pipelines.lib.vintages import ensure_history_table
from pipelines.lib.warehouse import Warehouse
from pipelines.marts.build import build_all
from pipelines.serving.publish import publish_serving_copy
from pipelines.sources.fred.tables import FRED_OBSERVATIONS, FRED_SERIES
from pipelines.sources.mof.tables import (
    JGB_YIELDS,
    MOF_FLOWS_BY_INVESTOR,
    MOF_FLOWS_MONTHLY,
    MOF_FLOWS_WEEKLY,
)
from pipelines.sources.tic.tables import TIC_HOLDINGS
from tests.conftest import REPO_ROOT

EXAMPLES = sorted((REPO_ROOT / "sql" / "examples").glob("*.sql"))
STAGING = (FRED_OBSERVATIONS, FRED_SERIES, JGB_YIELDS, MOF_FLOWS_WEEKLY, MOF_FLOWS_MONTHLY,
           MOF_FLOWS_BY_INVESTOR, TIC_HOLDINGS)


@pytest.fixture(scope="module")
def serving_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Empty staging tables with the real declarations, every real mart built on them."""
    root = tmp_path_factory.mktemp("examples")
    with Warehouse(root / "warehouse.duckdb").connect() as con:
        for table in STAGING:
            create_table(con, table)
            ensure_history_table(con, table.vintaged)
        build_all(con)
        return publish_serving_copy(con, root / "serving").path


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_on_the_serving_copy(serving_copy: Path, example: Path) -> None:
    sql = example.read_text(encoding="utf-8")
    assert sql.startswith("--"), f"{example.name}: start with a comment saying what it answers"
    with duckdb.connect(str(serving_copy), read_only=True) as con:
        con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def published_twice(tmp_path_factory: pytest.TempPathFactory, reference_dir: Path) -> Path:
    """Real files in staging, every mart built, published twice (as two demo refreshes do)."""
    from tests.marts.test_real_files import _load_fred, _load_jgb, _load_tic

    root = tmp_path_factory.mktemp("snapshots")
    with Warehouse(root / "warehouse.duckdb").connect() as con:
        for table in STAGING:
            create_table(con, table)
            ensure_history_table(con, table.vintaged)
        _load_fred(con, reference_dir)
        _load_jgb(con, reference_dir)
        _load_tic(con, reference_dir)
        build_all(con)
        publish_serving_copy(con, root / "serving")
        con.execute("UPDATE marts.latest_indicators SET value = value + 1"
                    " WHERE indicator = 'jgb_10y_pct'")  # a restatement between publishes
        return publish_serving_copy(con, root / "serving").path


def test_known_on_date_answers_what_the_dashboard_said(published_twice: Path,
                                                        reference_dir: Path) -> None:
    from tests.marts.test_real_files import _jgb_10y_by_hand

    sql = (REPO_ROOT / "sql" / "examples" / "known_on_date.sql").read_text(encoding="utf-8")
    with duckdb.connect(str(published_twice), read_only=True) as con:
        now = {r[1]: r for r in con.execute(sql).fetchall()}
        publishes = [p for (p,) in con.execute(
            "SELECT DISTINCT published_at FROM marts.indicator_snapshots ORDER BY 1").fetchall()]
        at_first = sql.replace("current_timestamp AT TIME ZONE 'UTC'", "?::TIMESTAMP")
        first = con.execute(at_first, [publishes[0]]).fetchall()
    assert len(publishes) == 2
    last_day, last_yield = _jgb_10y_by_hand(reference_dir)[-1]
    assert now["jgb_10y_pct"][2] == pytest.approx(last_yield + 1)  # what the 2nd publish showed
    assert now["jgb_10y_pct"][4] == last_day
    first_rows = {r[1]: r for r in first}
    assert first_rows["jgb_10y_pct"][2] == last_yield  # the 1st publish, before the restatement
    assert len(now) == len(first_rows) == 15
