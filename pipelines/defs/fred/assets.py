"""FRED: one asset per catalogue series (`fred/<SERIES_ID>`), refreshed together in one step.

The whole catalogue is one `multi_asset` so a run shares one rate limit, one thread pool and
one DuckDB writer, taken to read, then in short visits to publish what has downloaded so far,
never while FRED is waited for (the engine is pipelines/ingest/fred); each series is still its
own key, with its own checks and history, and adding an entry to catalogue.yaml adds an asset.
A series that fails leaves the others to land and keeps its last good rows; like every
ingestion asset it still reports a materialisation (outcome `failed`, unchanged data version)
so the marts downstream run, and the run is failed at the end by defs/outcomes.py.
"""

# No `from __future__ import annotations`: Dagster reads the config and resource types off the
# nested op function's signature at definition time, and cannot resolve them from strings.
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field

from pipelines.defs.ingest import (
    KINDS,
    Before,
    check_results,
    check_specs,
    ingest_metadata,
    latest_verdicts,
    refresh_validation_report,
    with_outcome,
)
from pipelines.defs.resources import PublishersResource, WarehouseResource
from pipelines.defs.tablemeta import keyed_row_counts, metadata_of, table_schema
from pipelines.ingest.fred.fetch import Endpoints
from pipelines.ingest.fred.load import (
    Downloaded,
    LoadOptions,
    Prepared,
    SeriesResult,
    download_chunks,
    prepare,
    publish,
)
from pipelines.lib.errors import PipelineError
from pipelines.lib.fetcher import Fetcher
from pipelines.lib.raw_store import RawStore
from pipelines.lib.refresh import keyed_versions
from pipelines.lib.settings import fred_catalogue_path
from pipelines.sources.fred import SeriesSpec, load_catalogue
from pipelines.sources.fred.tables import FRED_OBSERVATIONS
from pipelines.sources.fred.urls import MAX_OBSERVATIONS_LIMIT

GROUP = "fred"


class FredConfig(dg.Config):
    """Run options; the API key is not one of them (read from FRED_API_KEY at request time)."""

    alfred_backfill: bool = Field(
        default=False,
        description="API mode: also pull every ALFRED real-time period into"
        " staging.fred_vintages (one paged request per series), for 'as known on date D'.",
    )
    page_limit: int = Field(
        default=MAX_OBSERVATIONS_LIMIT, ge=1, le=MAX_OBSERVATIONS_LIMIT,
        description="API mode: observations per page (FRED's maximum is 100000).",
    )


def series_key(series_id: str) -> dg.AssetKey:
    return dg.AssetKey([GROUP, series_id])


def _spec(series: SeriesSpec) -> dg.AssetSpec:
    return dg.AssetSpec(
        series_key(series.id),
        description=f"{series.title}. {series.purpose}",
        group_name=GROUP,
        kinds=KINDS,
        metadata={"units": series.units, "frequency": series.frequency,
                  "table": FRED_OBSERVATIONS.name},
    )


def _events(result: SeriesResult) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """The series' check results, then its materialisation when rows landed (with_outcome
    turns the absence of one into `unchanged`, an error into `failed`)."""
    key = series_key(result.spec.id)
    checks = check_results(key, result.outcomes)
    if result.error is not None:
        yield from checks
        raise SeriesFailed(result.error)
    if result.report is None or result.batch is None:
        yield from checks
        return
    yield dg.MaterializeResult(
        asset_key=key,
        metadata=ingest_metadata(result.report, result.responses, date_column="date",
                                 batch=result.batch, extra=result.extra),
        check_results=checks,
    )


def _publish_visit(
    context: dg.AssetExecutionContext,
    fetcher: Fetcher,
    prepared: Prepared,
    options: LoadOptions,
    api_key: str | None,
    serving_dir: Path,
    con: duckdb.DuckDBPyConnection,
    specs: list[SeriesSpec],
    downloaded: list[Downloaded],
    *,
    last: bool,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Publish these downloads under the lock (`con`), each series' events with its outcome;
    the validation report after the `last` chunk."""
    before = None if fetcher.replay else before_publish(con, [s.id for s in specs])
    for result in publish(con, fetcher, specs, downloaded, prepared, api_key=api_key,
                          options=options, log=context.log, run_id=context.run.run_id):
        sid = result.spec.id
        yield from with_outcome(
            context, con, _events(result), asset_key=series_key(sid),
            table=FRED_OBSERVATIONS.name, source="fred", target=sid,
            data_version=lambda sid=sid: keyed_versions(
                con, FRED_OBSERVATIONS.name, "series_id", [sid])[sid],
            log_failure=False,  # the engine logged it, naming the series and URL
            rows_where=("series_id", sid),
            before=before[sid] if before else None,
        )
    if last:
        refresh_validation_report(con, serving_dir, context.log)


def before_publish(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, Before]:
    """Every series' data version, row count and latest check verdicts in four queries, read
    under the lock before publishing: what a series that writes nothing reports, so a
    no-change refresh costs the same few queries at 18 series or 500."""
    table = FRED_OBSERVATIONS.name
    schema = table_schema(con, table)
    if schema is None:  # created by `prepare`; without it every series reads its own
        return {}
    versions = keyed_versions(con, table, "series_id", ids)
    rows = keyed_row_counts(con, table, "series_id", ids)
    verdicts = latest_verdicts(con, [series_key(i).to_user_string() for i in ids])
    return {i: Before(versions[i], metadata_of(table, schema, rows[i]),
                      verdicts[series_key(i).to_user_string()]) for i in ids}


class SeriesFailed(PipelineError):
    """One series' refresh failed; the message is the engine's (source, URL, cause)."""


def build_fred_series(catalogue: Path | str | None = None) -> dg.AssetsDefinition:
    """The multi_asset for a catalogue (default: $FRED_CATALOGUE, else catalogue.yaml)."""
    specs = load_catalogue(catalogue or fred_catalogue_path())

    @dg.multi_asset(
        name="fred_series",
        specs=[_spec(s) for s in specs],
        check_specs=[c for s in specs for c in check_specs(series_key(s.id),
                                                           FRED_OBSERVATIONS.name)],
        can_subset=True,
        pool="warehouse",
    )
    def fred_series(
        context: dg.AssetExecutionContext,
        config: FredConfig,
        warehouse: WarehouseResource,
        publishers: PublishersResource,
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        selected = [s for s in specs if series_key(s.id) in context.selected_asset_keys]
        settings = publishers.settings()  # reads FRED_API_KEY from the environment, now
        endpoints = Endpoints(settings.fred_graph_url, settings.fred_api_url)
        options = LoadOptions(alfred_backfill=config.alfred_backfill,
                              page_limit=config.page_limit)
        context.log.info(f"FRED: {len(selected)} series, "
                         f"{'API' if settings.fred_api_key else 'keyless fredgraph.csv'} mode")
        # Under the lock only to read and to write: the download waits for FRED without it.
        with warehouse.connect() as con:
            prepared = prepare(con, selected)
        replay = settings.replay
        fetcher = Fetcher(None, RawStore(warehouse.settings().raw_dir),
                          None if replay else publishers.client(), replay=replay,
                          snapshot=prepared.snapshot)
        how = {"endpoints": endpoints, "api_key": settings.fred_api_key, "options": options,
               "log": context.log}
        publish_visit = partial(_publish_visit, context, fetcher, prepared, options,
                                settings.fred_api_key, warehouse.settings().serving_dir)
        if replay:  # the landing zone only, with the fetch log of an older one to hand
            with warehouse.connect() as con:
                fetcher.attach(con)
                chunks = download_chunks(fetcher, selected, prepared, every_s=None, **how)
                downloaded = [d for chunk, _ in chunks for d in chunk]
                yield from publish_visit(con, selected, downloaded, last=True)
            return
        # One short visit under the lock per chunk of finished downloads, while the others
        # still wait on FRED without it: publishing overlaps the download.
        for chunk, last in download_chunks(fetcher, selected, prepared, **how):
            with warehouse.connect() as con:
                fetcher.attach(con)
                try:
                    yield from publish_visit(con, [d.spec for d in chunk], chunk, last=last)
                finally:
                    fetcher.detach()

    return fred_series


fred_series = build_fred_series()
