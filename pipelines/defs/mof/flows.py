"""Japanese investors' transactions in foreign securities (MOF), weekly, monthly, by investor."""

from collections.abc import Callable, Iterator

import dagster as dg
import polars as pl

from pipelines.defs.ingest import (
    FileIngest,
    Parsed,
    SourceFile,
    check_specs,
    ingest_spec,
    ingest_with,
)
from pipelines.defs.resources import PublishersResource, WarehouseResource
from pipelines.lib.tables import TableDef
from pipelines.sources.mof import urls
from pipelines.sources.mof.flows_parse import (
    parse_flows_by_investor,
    parse_flows_monthly,
    parse_flows_weekly,
)
from pipelines.staging.mof import MOF_FLOWS_BY_INVESTOR, MOF_FLOWS_MONTHLY, MOF_FLOWS_WEEKLY


def _with_source(parsed: list[Parsed]) -> pl.DataFrame:
    return pl.concat([p.frame.with_columns(source_file=pl.lit(p.file.name)) for p in parsed])


FLOWS: dict[str, tuple[urls.MofFile, TableDef, Callable[[bytes], pl.DataFrame], str, str]] = {
    "securities_flows_weekly": (
        urls.FLOWS_WEEKLY, MOF_FLOWS_WEEKLY, parse_flows_weekly, "week_end",
        "Weekly net purchases of foreign securities by Japanese investors (week.csv)",
    ),
    "securities_flows_monthly": (
        urls.FLOWS_MONTHLY, MOF_FLOWS_MONTHLY, parse_flows_monthly, "month",
        "Monthly net purchases of foreign securities by Japanese investors (montha1.csv)",
    ),
    "securities_flows_by_investor": (
        urls.FLOWS_BY_INVESTOR_LONG_TERM_DEBT, MOF_FLOWS_BY_INVESTOR, parse_flows_by_investor,
        "month",
        "Monthly net purchases of foreign long-term debt by investor type: life insurers,"
        " pension trust accounts, banks (monthb3.csv)",
    ),
}


def _key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["mof", name])


@dg.multi_asset(
    name="mof_securities_flows",
    specs=[
        ingest_spec(_key(name), table, group="mof",
                    description=f"{desc}, 100 million yen, into {table.name}.")
        for name, (_, table, _, _, desc) in FLOWS.items()
    ],
    check_specs=[
        spec for name, (_, table, *_rest) in FLOWS.items()
        for spec in check_specs(_key(name), table.name)
    ],
    can_subset=True,
    pool="warehouse",
)
def mof_securities_flows(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    publishers: PublishersResource,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    base = publishers.settings().mof_url
    yield from ingest_with(context, warehouse, publishers, [
        FileIngest(
            source="mof", dataset=name, asset_key=_key(name), table=table,
            date_column=date_column,
            files=(SourceFile(file.filename, urls.url(base, file), parse),),
            combine=_with_source,
        )
        for name, (file, table, parse, date_column, _) in FLOWS.items()
    ])
