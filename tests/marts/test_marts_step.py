"""The marts as one subsettable step: a selection builds just what it names, in dependency
order, and one mart's failure leaves the others to materialise (defs/marts/assets.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from pipelines.defs.marts import versions
from pipelines.defs.marts.assets import MARTS, build_marts_asset
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.tables import create_table
from pipelines.lib.warehouse import ensure_schemas
from pipelines.marts.build import MartSql, build_mart, discover_marts
from pipelines.sources.tic import tables as tic
from tests.marts.staging_rows import add_tic, create_staging


def _warehouse(tmp_path: Path) -> WarehouseResource:
    (tmp_path / "assets").mkdir()
    return WarehouseResource(assets_dir=str(tmp_path / "assets"))


def _marts_tables(warehouse: WarehouseResource) -> set[str]:
    with warehouse.connect() as con:
        return {name for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'").fetchall()}


def _outcomes(result: dg.ExecuteInProcessResult) -> dict[str, Any]:
    """Mart name -> the outcome its materialisation reported, in the order reported."""
    return {e.asset_key.path[-1]: e.materialization.metadata["outcome"].value
            for e in result.get_asset_materialization_events()}


def _steps(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.step_key for e in result.all_events if e.step_key}


def test_materialising_one_mart_builds_only_that_mart(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path)
    with warehouse.connect() as con:
        create_staging(con)
    spreads = dg.AssetKey(["marts", "yield_spreads_daily"])

    result = dg.materialize([MARTS], selection=[spreads], resources={"warehouse": warehouse})

    assert result.success
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [spreads]
    assert {e.asset_key for e in result.get_asset_check_evaluations()} == {spreads}
    assert _marts_tables(warehouse) == {"yield_spreads_daily"}
    assert _steps(result) == {"marts"}


def test_the_whole_set_builds_every_mart_in_dependency_order_in_one_step(
    tmp_path: Path,
) -> None:
    warehouse = _warehouse(tmp_path)
    with warehouse.connect() as con:
        create_staging(con)
    marts = {m.name: m for m in discover_marts()}

    result = dg.materialize([MARTS], resources={"warehouse": warehouse})

    assert result.success
    reported = list(_outcomes(result))
    assert sorted(reported) == sorted(marts) and set(_outcomes(result).values()) == {"built"}
    for position, name in enumerate(reported):  # every mart after each mart it reads
        assert set(marts[name].upstream_marts) <= set(reported[:position]), name
    assert "indicator_series" in marts["latest_indicators"].upstream_marts  # order is tested
    assert _marts_tables(warehouse) >= set(marts)
    assert _steps(result) == {"marts"}
    with warehouse.connect() as con:
        (runs,) = con.execute("SELECT count(DISTINCT run_id) FROM meta.mart_builds").fetchone()
    assert runs == 1


def _write_mart(sql_dir: Path, name: str, select: str, reads: str) -> None:
    """A one-column mart (`month`) with the header and COMMENTs a build requires."""
    (sql_dir / f"{name}.sql").write_text(
        f"-- {name}, a test mart\n-- depends_on: {reads}\n-- keys: month\n"
        f"CREATE OR REPLACE TABLE marts.{name} AS {select};\n"
        f"COMMENT ON TABLE marts.{name} IS 'test mart';\n"
        f"COMMENT ON COLUMN marts.{name}.month IS 'month';\n")


@pytest.fixture
def three_marts(tmp_path: Path) -> tuple[Path, WarehouseResource]:
    """`upstream` and `other` read staging.tic_holdings; `dependant` reads `upstream`."""
    sql_dir = tmp_path / "sql"
    sql_dir.mkdir()
    staging = "SELECT DISTINCT month FROM staging.tic_holdings"
    _write_mart(sql_dir, "upstream", staging, "tic/tic_holdings")
    _write_mart(sql_dir, "other", staging, "tic/tic_holdings")
    _write_mart(sql_dir, "dependant", "SELECT month FROM marts.upstream", "marts/upstream")
    warehouse = _warehouse(tmp_path)
    with warehouse.connect() as con:
        ensure_schemas(con)
        create_table(con, tic.TIC_HOLDINGS)
        add_tic(con, "2025-01-01", {"japan": ("country", 1000.0)})
    return sql_dir, warehouse


def _break(sql_dir: Path, name: str) -> None:
    """Make the mart's SQL fail when it runs (the header still matches what it reads)."""
    _write_mart(sql_dir, name, "SELECT DISTINCT month, error('broken on purpose') AS x"
                " FROM staging.tic_holdings", "tic/tic_holdings")


def test_a_failing_mart_sql_fails_that_mart_and_the_others_still_materialise(
    three_marts: tuple[Path, WarehouseResource],
) -> None:
    sql_dir, warehouse = three_marts
    _break(sql_dir, "upstream")
    step = build_marts_asset(discover_marts(sql_dir))

    result = dg.materialize([step], resources={"warehouse": warehouse})

    # Every mart reports (the run's refresh_outcomes gate fails the run, defs/outcomes.py);
    # the dependant cannot be built without its input's table.
    assert result.success
    assert _outcomes(result) == {"upstream": "failed", "other": "built", "dependant": "failed"}
    errors = {e.asset_key.path[-1]: e.materialization.metadata["error"].value
              for e in result.get_asset_materialization_events()
              if "error" in e.materialization.metadata}
    assert "broken on purpose" in errors["upstream"]
    assert "marts.upstream" in errors["dependant"]
    assert _marts_tables(warehouse) == {"other"}


def test_a_mart_that_breaks_later_keeps_its_table_and_its_dependant_stays_current(
    three_marts: tuple[Path, WarehouseResource],
) -> None:
    sql_dir, warehouse = three_marts
    first = dg.materialize([build_marts_asset(discover_marts(sql_dir))],
                           resources={"warehouse": warehouse})
    assert set(_outcomes(first).values()) == {"built"}
    _break(sql_dir, "upstream")

    second = dg.materialize([build_marts_asset(discover_marts(sql_dir))],
                            resources={"warehouse": warehouse})

    assert _outcomes(second) == {"upstream": "failed", "other": "current",
                                 "dependant": "current"}
    with warehouse.connect() as con:
        assert con.execute("SELECT count(*) FROM marts.upstream").fetchone() == (1,)


def test_a_bug_in_one_mart_skips_its_dependants_builds_the_others_and_fails_the_step(
    three_marts: tuple[Path, WarehouseResource], monkeypatch: pytest.MonkeyPatch,
) -> None:
    sql_dir, warehouse = three_marts

    def buggy(con: Any, mart: MartSql, **kwargs: Any) -> int:
        if mart.name == "upstream":
            raise KeyError("a bug, not a build error")
        return build_mart(con, mart, **kwargs)

    monkeypatch.setattr(versions, "build_mart", buggy)
    result = dg.materialize([build_marts_asset(discover_marts(sql_dir))],
                            resources={"warehouse": warehouse}, raise_on_error=False)

    # What Dagster did when each mart was its own step: the failed step's dependants skipped.
    assert not result.success
    assert _outcomes(result) == {"other": "built"}
    (failure,) = result.get_step_failure_events()
    assert "a bug, not a build error" in str(failure.step_failure_data.error)
    assert _marts_tables(warehouse) == {"other"}


@pytest.mark.filterwarnings("ignore::dagster.BetaWarning")  # raised inside Dagster's tester
def test_automation_requests_only_the_marts_whose_input_changed() -> None:
    """A subsettable step: the sensor's run selects those marts, not all in the step."""
    instance = dg.DagsterInstance.ephemeral()
    defs = dg.Definitions(assets=[MARTS], resources={"warehouse": WarehouseResource()})
    marts = discover_marts()

    def report(key: str, version: str) -> None:
        instance.report_runless_asset_event(dg.AssetMaterialization(
            dg.AssetKey(key.split("/")), tags={"dagster/data_version": version}))

    for key in sorted({k for m in marts for k in m.depends_on} | {f"marts/{m.name}"
                                                                  for m in marts}):
        report(key, "v1")
    first = dg.evaluate_automation_conditions(defs, instance)
    report("tic/tic_holdings", "v2")
    second = dg.evaluate_automation_conditions(defs, instance, cursor=first.cursor)

    assert first.total_requested == 0
    requested = {k.path[-1] for k in MARTS.keys if second.get_num_requested(k)}
    readers = {m.name for m in marts if "tic/tic_holdings" in m.depends_on}
    assert requested == readers and 0 < len(readers) < len(marts)
