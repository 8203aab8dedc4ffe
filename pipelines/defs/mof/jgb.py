"""JGB yields by tenor from the Japan Ministry of Finance."""

import os
from collections.abc import Iterator

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
from pipelines.sources.mof import urls
from pipelines.sources.mof.jgb_parse import parse_jgb_file, parse_jgb_title_month
from pipelines.staging.mof import JGB_YIELDS

JGB_YIELDS_KEY = dg.AssetKey(["mof", "jgb_yields"])


def _title_period(body: bytes) -> str | None:
    month = parse_jgb_title_month(body)
    return month.isoformat() if month else None


def jgb_files(base_url: str, language: str) -> tuple[SourceFile, ...]:
    """History first, then the current month, so the current month wins on a shared date."""
    history, current = {
        "en": (urls.JGB_HISTORY_EN, urls.JGB_CURRENT_EN),
        "ja": (urls.JGB_HISTORY_JA, urls.JGB_CURRENT_JA),
    }[language]
    return (
        SourceFile(history.filename, urls.url(base_url, history), parse_jgb_file),
        SourceFile(current.filename, urls.url(base_url, current), parse_jgb_file,
                   period_of=_title_period),
    )


def combine_jgb(parsed: list[Parsed]) -> pl.DataFrame:
    frames = [p.frame.with_columns(source_file=pl.lit(p.file.name)) for p in parsed]
    return pl.concat(frames).unique(subset=["date", "tenor_years"], keep="last",
                                    maintain_order=True).sort("date", "tenor_years")


@dg.multi_asset(
    name="mof_jgb_yields",
    specs=[
        ingest_spec(
            JGB_YIELDS_KEY, JGB_YIELDS, group="mof",
            description=(
                "JGB constant-maturity yields, every tenor since 1974, into staging.jgb_yields."
                " The full-history file is fetched only when it changed; the current-month"
                " file on every refresh."
            ),
        )
    ],
    check_specs=check_specs(JGB_YIELDS_KEY, JGB_YIELDS.name),
    can_subset=True,
    pool="warehouse",
)
def mof_jgb_yields(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    publishers: PublishersResource,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    language = os.environ.get("MOF_JGB_LANGUAGE", "en")
    if language not in ("en", "ja"):
        raise ValueError(f"MOF_JGB_LANGUAGE must be 'en' or 'ja', not {language!r}")
    settings = publishers.settings()
    ingest = FileIngest(
        source="mof", dataset="jgb_yields", asset_key=JGB_YIELDS_KEY, table=JGB_YIELDS,
        date_column="date", files=jgb_files(settings.mof_url, language), combine=combine_jgb,
    )
    yield from ingest_with(context, warehouse, publishers, [ingest])
