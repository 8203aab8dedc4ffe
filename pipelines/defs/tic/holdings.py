"""Major foreign holders of US Treasuries (TIC), history and the current table."""

import email.utils
from collections.abc import Iterator
from datetime import UTC, date, datetime

import dagster as dg
import duckdb
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
from pipelines.sources.tic import urls
from pipelines.sources.tic.parse import parse_mfh_history, parse_slt_table5
from pipelines.staging.tic import TIC_HOLDINGS, TIC_REVISIONS_DDL

TIC_HOLDINGS_KEY = dg.AssetKey(["tic", "tic_holdings"])
HISTORY = "mfhhis01.txt"
TABLE5 = "slt_table5.txt"


def _history(body: bytes) -> pl.DataFrame:
    parsed = parse_mfh_history(body)
    return parsed.holdings.with_columns(release_date=pl.lit(parsed.release_date))


def _table5(body: bytes) -> pl.DataFrame:
    # Table 5 carries no release stamp; combine_tic dates it from the response.
    return parse_slt_table5(body).holdings.with_columns(release_date=pl.lit(None, pl.Date))


def _release_date(p: Parsed) -> date:
    """Table 5's release: its Last-Modified header, else the day it was fetched."""
    if p.fetched.result.last_modified:
        try:
            return email.utils.parsedate_to_datetime(p.fetched.result.last_modified).date()
        except (TypeError, ValueError):
            pass
    return datetime.now(UTC).date()


def combine_tic(parsed: list[Parsed]) -> pl.DataFrame:
    """Union both files; where both hold a month, the later release wins (Table 5 on a tie)."""
    frames = []
    for order, p in enumerate(parsed):
        frame = p.frame.with_columns(source_file=pl.lit(p.file.name), _order=pl.lit(order))
        if p.file.name == TABLE5:
            frame = frame.with_columns(release_date=pl.lit(_release_date(p)))
        frames.append(frame)
    return (
        pl.concat(frames)
        .sort("release_date", "_order")
        .unique(subset=["holder_code", "month"], keep="last", maintain_order=True)
        .drop("_order")
        .sort("month", "holder_code")
    )


def write_revisions(con: duckdb.DuckDBPyConnection, parsed: list[Parsed]) -> None:
    con.execute(TIC_REVISIONS_DDL)
    for p in parsed:
        if p.file.name != HISTORY:
            continue
        history = parse_mfh_history(p.fetched.body or b"")
        rows = history.revisions.with_columns(release_date=pl.lit(history.release_date))
        con.register("_tic_revisions", rows.to_arrow())
        con.execute(
            "INSERT OR IGNORE INTO staging.tic_revisions"
            " SELECT data_year, revised_on, release_date FROM _tic_revisions"
        )
        con.unregister("_tic_revisions")


@dg.multi_asset(
    name="tic_major_foreign_holders",
    specs=[
        ingest_spec(
            TIC_HOLDINGS_KEY, TIC_HOLDINGS, group="tic",
            description=(
                "Holdings of US Treasuries by country (TIC Major Foreign Holders), monthly"
                " since March 2000, billions of USD, into staging.tic_holdings; every revised"
                " value keeps its earlier vintage in staging.tic_holdings_history."
            ),
        )
    ],
    check_specs=check_specs(TIC_HOLDINGS_KEY, TIC_HOLDINGS.name),
    can_subset=True,
    pool="warehouse",
)
def tic_major_foreign_holders(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    publishers: PublishersResource,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    base = publishers.settings().tic_url
    files = (
        SourceFile(HISTORY, urls.mfh_history_url(base), _history, expect="text"),
        SourceFile(TABLE5, urls.slt_table5_url(base), _table5, expect="text"),
    )
    for f in files:
        urls.assert_not_legacy(f.url)
    ingest = FileIngest(
        source="tic", dataset="tic_holdings", asset_key=TIC_HOLDINGS_KEY, table=TIC_HOLDINGS,
        date_column="month", files=files, combine=combine_tic, combine_with_unchanged=True,
        also_write=write_revisions,
    )
    yield from ingest_with(context, warehouse, publishers, [ingest])
