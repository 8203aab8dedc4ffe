"""Asset checks on every mart: declared in its header, run after each build, kept for BI."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from pipelines.defs.marts.assets import MARTS
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.publish import ERROR, WARN
from pipelines.lib.tables import create_table
from pipelines.lib.warehouse import Warehouse, ensure_schemas
from pipelines.marts import checks
from pipelines.marts.build import MartError, discover_marts, parse_mart_file
from pipelines.serving.status import table_statuses
from pipelines.sources.tic import tables as tic
from tests.marts.staging_rows import add_tic, build, staging_connection


def test_every_mart_declares_its_grain_and_gets_checks_in_dagster() -> None:
    by_name = {k.path[-1]: {c.name for c in MARTS.check_specs if c.asset_key == k}
               for k in MARTS.keys}
    assert set(by_name) == {m.name for m in discover_marts()}
    for mart in discover_marts():
        assert checks.declared(mart).keys, mart.name
        assert {checks.KEYS_CHECK, checks.ROWS_CHECK} <= by_name[mart.name]
    severities = {d.name: d.severity for d in checks.check_declarations(
        next(m for m in discover_marts() if m.name == "yield_spreads_daily"))}
    assert severities == {checks.KEYS_CHECK: ERROR, checks.RANGE_CHECK: WARN,
                          checks.ROWS_CHECK: WARN}


def test_a_mart_without_keys_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.sql"
    path.write_text("-- x\n-- depends_on: tic/tic_holdings\nCREATE OR REPLACE TABLE marts.x AS"
                    " SELECT * FROM staging.tic_holdings;\n")
    with pytest.raises(MartError, match="keys"):
        checks.declared(parse_mart_file(path))


def _holdings(con, japan: dict[str, float]) -> None:
    for month, value in japan.items():
        add_tic(con, month, {"japan": ("country", value), "grand_total": ("total", 8000.0)})


def test_duplicate_keys_a_value_out_of_range_and_a_fall_in_rows_fail() -> None:
    mart = next(m for m in discover_marts() if m.name == "japan_ust_holdings_monthly")
    con = staging_connection()
    _holdings(con, {"2025-01-01": 1000.0, "2025-02-01": 1010.0, "2025-03-01": 1020.0})
    build(con, "japan_ust_holdings_monthly")
    first = {o.name: o for o in checks.evaluate(con, mart)}
    assert all(o.passed for o in first.values())
    # a reason, not a bool: validation.html prints it (a bool broke every second refresh)
    assert first[checks.ROWS_CHECK].details["not_applicable"] == (
        "no previous row count to compare with")

    # a 1-month change of +500 bn is implausible (a missed series break, a unit slip)
    con.execute("UPDATE marts.japan_ust_holdings_monthly SET japan_chg_1m_usd_bn = 500"
                " WHERE month = DATE '2025-03-01'")
    con.execute("INSERT INTO marts.japan_ust_holdings_monthly (month) VALUES (DATE '2025-03-01')")
    con.execute("DELETE FROM marts.japan_ust_holdings_monthly WHERE month < DATE '2025-03-01'")
    second = {o.name: o for o in checks.evaluate(con, mart)}
    assert (second[checks.KEYS_CHECK].passed, second[checks.KEYS_CHECK].unexpected_count) == (
        False, 1)
    assert second[checks.RANGE_CHECK].passed is False
    assert second[checks.RANGE_CHECK].details["outside"] == {"japan_chg_1m_usd_bn": 1}
    rows = second[checks.ROWS_CHECK]
    assert (rows.passed, rows.details["previous_rows"], rows.details["rows"]) == (False, 3, 2)


def test_checks_show_in_dagster_and_in_table_status(tmp_path: Path) -> None:
    assets_dir = tmp_path / "assets"
    assets_dir.mkdir()
    with Warehouse(assets_dir / "warehouse.duckdb").connect() as con:
        ensure_schemas(con)
        create_table(con, tic.TIC_HOLDINGS)
        _holdings(con, {"2025-01-01": 1000.0, "2025-02-01": 1010.0})
    result = dg.materialize(
        [MARTS], selection=[dg.AssetKey(["marts", "japan_ust_holdings_monthly"])],
        resources={"warehouse": WarehouseResource(assets_dir=str(assets_dir))})
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations == {checks.KEYS_CHECK: True, checks.RANGE_CHECK: True,
                           checks.ROWS_CHECK: True}
    with Warehouse(assets_dir / "warehouse.duckdb").connect() as con:
        recorded = con.execute(
            "SELECT check_name, passed FROM meta.check_results"
            " WHERE table_name = 'marts.japan_ust_holdings_monthly' ORDER BY 1").fetchall()
        status = {s.qualified: s for s in table_statuses(con, today=datetime.now(UTC).date())}
    assert recorded == sorted((name, True) for name in evaluations)
    assert status["marts.japan_ust_holdings_monthly"].check_status == "pass"
    # Dagster's standard table metadata, read from the table (defs/tablemeta.py).
    (event,) = result.get_asset_materialization_events()
    meta = event.materialization.metadata
    with Warehouse(assets_dir / "warehouse.duckdb").connect() as con:
        described = con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = 'marts'"
            " AND table_name = 'japan_ust_holdings_monthly' ORDER BY column_index").fetchall()
    assert meta["dagster/row_count"].value == 2
    columns = meta["dagster/column_schema"].schema.columns
    assert [(c.name, c.description) for c in columns] == described
    assert all(c.description for c in columns)  # every mart column carries its comment
