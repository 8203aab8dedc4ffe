"""One asset per `sql/marts/*.sql` file (file name = table name = asset name), all in one step.

Dependencies come from each file's `depends_on` header (checked against the SQL by the
builder), so lineage in the UI shows which series feed which mart. A mart's code version is
the hash of its SQL; it is rebuilt when that or an input's data version changed, or when its
table is missing (versions.py), and it reports a materialisation in every run either way.

The marts are one `can_subset` multi-asset: Dagster's cost per step (about 0.3 s, several times
a mart's SQL) was most of a full rebuild, so a run pays it once and builds the selected marts
in dependency order on one warehouse connection; selecting one mart (UI, CLI, automation)
still builds just that one. Each keeps its own key, lineage, checks and history.

Each mart has asset checks declared in its header (`pipelines/marts/checks.py`): keys unique
and not null, plausible ranges and no sharp fall in rows. They run after each build, show in
the UI and are kept in meta.check_results, so meta.table_status has them. None is blocking: a
blocking check fails the mart's step, and Dagster would then skip the serving copy and the
report for every table (issue 13); the verdict reaches readers through table_status instead.
"""

# No `from __future__ import annotations`: Dagster reads the resource type off the signature.
from collections.abc import Iterator, Sequence

import dagster as dg

from pipelines.defs.automation import ON_NEW_DATA
from pipelines.defs.marts.versions import code_version, materialize_marts
from pipelines.defs.resources import WarehouseResource
from pipelines.marts import checks as mart_checks
from pipelines.marts.build import MartSql, discover_marts

# Rebuild once after an input's data version (or the SQL) changed, or when missing; never
# while an input is still running. A refused batch never reaches staging, so no input can
# hand a mart rows that failed an error check.
MART_AUTOMATION = ON_NEW_DATA


def mart_key(mart: MartSql) -> dg.AssetKey:
    return dg.AssetKey(["marts", mart.name])


def mart_check_specs(mart: MartSql) -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(name=d.name, asset=mart_key(mart), description=d.description)
            for d in mart_checks.check_declarations(mart)]


def mart_spec(mart: MartSql) -> dg.AssetSpec:
    return dg.AssetSpec(
        mart_key(mart),
        deps=[dg.AssetKey(k.split("/")) for k in mart.depends_on],
        description=f"{mart.description} (sql/marts/{mart.path.name})",
        group_name="marts",
        kinds={"duckdb", "sql"},
        automation_condition=MART_AUTOMATION,
        code_version=code_version(mart),
        metadata={"table": mart.table, "sql_file": f"sql/marts/{mart.path.name}"},
    )


def build_marts_asset(marts: Sequence[MartSql]) -> dg.AssetsDefinition:
    """The step for `marts`, given in dependency order (as `discover_marts` returns them)."""

    @dg.multi_asset(
        name="marts",
        specs=[mart_spec(m) for m in marts],
        check_specs=[c for m in marts for c in mart_check_specs(m)],
        can_subset=True,
        pool="warehouse",
    )
    def _marts(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        selected = [m for m in marts if mart_key(m) in context.selected_asset_keys]
        with warehouse.connect() as con:
            yield from materialize_marts(context, con, selected)

    return _marts


MARTS = build_marts_asset(discover_marts())
