"""One asset per `sql/marts/*.sql` file: the file name is the table name and the asset name.

Dependencies come from each file's `depends_on` header (checked against the SQL by the
builder), so lineage in the UI shows which series feed which mart. A mart's code version is
the hash of its SQL; it is rebuilt when that or an input's data version changed, or when its
table is missing (versions.py), and it reports a materialisation in every run either way.

Each mart has asset checks declared in its header (`pipelines/marts/checks.py`): keys unique
and not null, plausible ranges and no sharp fall in rows. They run after each build, show in
the UI and are kept in meta.check_results, so meta.table_status has them. None is blocking: a
blocking check fails the mart's step, and Dagster would then skip the serving copy and the
report for every table (issue 13); the verdict reaches readers through table_status instead.
"""

import dagster as dg

from pipelines.defs.automation import ON_NEW_DATA
from pipelines.defs.marts.versions import code_version, materialize_mart
from pipelines.defs.resources import WarehouseResource
from pipelines.marts import checks as mart_checks
from pipelines.marts.build import MartSql, discover_marts

# Rebuild once after an input's data version (or the SQL) changed, or when missing; never
# while an input is still running. A refused batch never reaches staging, so no input can
# hand a mart rows that failed an error check.
MART_AUTOMATION = ON_NEW_DATA


def _key(asset_key: str) -> dg.AssetKey:
    return dg.AssetKey(asset_key.split("/"))


def mart_check_specs(mart: MartSql) -> list[dg.AssetCheckSpec]:
    key = dg.AssetKey(["marts", mart.name])
    return [dg.AssetCheckSpec(name=d.name, asset=key, description=d.description)
            for d in mart_checks.check_declarations(mart)]


def build_mart_asset(mart: MartSql) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["marts", mart.name]),
        check_specs=mart_check_specs(mart),
        deps=[_key(k) for k in mart.depends_on],
        description=f"{mart.description} (sql/marts/{mart.path.name})",
        group_name="marts",
        kinds={"duckdb", "sql"},
        automation_condition=MART_AUTOMATION,
        code_version=code_version(mart),
        pool="warehouse",
        metadata={"table": mart.table, "sql_file": f"sql/marts/{mart.path.name}"},
    )
    def _mart(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        return materialize_mart(context, warehouse, mart)

    return _mart


MART_ASSETS = [build_mart_asset(m) for m in discover_marts()]
