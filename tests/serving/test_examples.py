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
from pipelines.staging.fred import FRED_OBSERVATIONS, FRED_SERIES
from pipelines.staging.mof import (
    JGB_YIELDS,
    MOF_FLOWS_BY_INVESTOR,
    MOF_FLOWS_MONTHLY,
    MOF_FLOWS_WEEKLY,
)
from pipelines.staging.tic import TIC_HOLDINGS
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
