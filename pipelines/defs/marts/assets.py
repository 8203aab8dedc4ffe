"""One asset per `sql/marts/*.sql` file: the file name is the table name and the asset name.

Dependencies come from each file's `depends_on` header (checked against the SQL by the
builder), so lineage in the UI shows which series feed which mart. Marts refresh themselves
when an input changes, and only once its blocking checks passed.

Each mart has asset checks declared in its header (`pipelines/marts/checks.py`): keys unique
and not null (blocking), plausible ranges and no sharp fall in rows (warnings). They run after
each build, show in the UI and are kept in meta.check_results, so meta.table_status has them.
"""

from collections.abc import Iterator
from datetime import date

import dagster as dg
import duckdb

from pipelines.defs.ingest import check_results
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.publish import ERROR
from pipelines.marts import checks as mart_checks
from pipelines.marts.build import MartSql, build_mart, discover_marts
from pipelines.validation.results import record_outcomes

# Rebuild when an input is updated, once per update, never while an input is still running
# or its blocking checks failed (a quarantined batch must not reach the marts).
MART_AUTOMATION = (
    dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()
)


def _key(asset_key: str) -> dg.AssetKey:
    return dg.AssetKey(asset_key.split("/"))


def mart_check_specs(mart: MartSql) -> list[dg.AssetCheckSpec]:
    key = dg.AssetKey(["marts", mart.name])
    return [
        dg.AssetCheckSpec(name=d.name, asset=key, description=d.description,
                          blocking=d.severity == ERROR)
        for d in mart_checks.check_declarations(mart)
    ]


def build_mart_asset(mart: MartSql) -> dg.AssetsDefinition:
    key = dg.AssetKey(["marts", mart.name])

    @dg.asset(
        key=key,
        check_specs=mart_check_specs(mart),
        deps=[_key(k) for k in mart.depends_on],
        description=f"{mart.description} (sql/marts/{mart.path.name})",
        group_name="marts",
        kinds={"duckdb", "sql"},
        automation_condition=MART_AUTOMATION,
        pool="warehouse",
        metadata={"table": mart.table, "sql_file": f"sql/marts/{mart.path.name}"},
    )
    def _mart(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        with warehouse.connect() as con:
            rows = build_mart(con, mart)
            last = _last_date(con, mart.table)
            outcomes = mart_checks.evaluate(con, mart)
            record_outcomes(con, mart.table, key.to_user_string(), outcomes,
                            run_id=context.run.run_id)
        context.log.info(f"{mart.table}: {rows} rows, last date {last}")
        failed = [o.name for o in outcomes if not o.passed]
        if failed:
            context.log.warning(f"{mart.table}: checks failed: {', '.join(failed)}")
        yield dg.MaterializeResult(
            metadata={"rows": rows, "last_date": str(last), "table": mart.table}
        )
        yield from check_results(key, outcomes)

    return _mart


def _last_date(con: duckdb.DuckDBPyConnection, table: str) -> date | None:
    schema, name = table.split(".")
    cols = [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?"
        " AND data_type = 'DATE' ORDER BY column_index", [schema, name]).fetchall()]
    if not cols:
        return None
    return con.execute(f"SELECT max({cols[0]}) FROM {table}").fetchall()[0][0]  # noqa: S608


MART_ASSETS = [build_mart_asset(m) for m in discover_marts()]
