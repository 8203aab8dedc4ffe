"""REPLAY=1 for FRED: rebuild each series, history included, from the landing zone manifest."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb
import polars as pl

from pipelines.ingest.fred.batch import observations_batch
from pipelines.ingest.fred.fetch import SeriesFetch
from pipelines.ingest.fred.plan import Window as RequestWindow
from pipelines.ingest.fred.series import (
    TABLE,
    Log,
    SeriesResult,
    asset_key_string,
    bookkeeping,
    failed,
    failed_outcome,
)
from pipelines.ingest.fred.state import read_state
from pipelines.ingest.fred.unit_changes import detect_unit_change
from pipelines.lib.errors import ParseError, SourceError
from pipelines.lib.fetcher import Fetcher
from pipelines.lib.publish import PublishReport
from pipelines.lib.vintages import UpsertStats, Window, clear_vintaged, upsert_with_vintages
from pipelines.lib.warehouse import transaction
from pipelines.sources.fred import (
    SeriesSpec,
    parse_fredgraph_csv,
    parse_observations_json,
    parse_series_json,
    usd_bn_scale_for_units,
)
from pipelines.sources.fred.tables import FRED_OBSERVATIONS, FRED_SERIES
from pipelines.validation import checks


def settle_replay(
    con: duckdb.DuckDBPyConnection, fetcher: Fetcher, spec: SeriesSpec, log: Log
) -> SeriesResult:
    key = asset_key_string(spec.id)
    try:
        return replay_series(con, fetcher, spec, log)
    except (SourceError, ParseError) as exc:
        outcome = failed_outcome(checks.SCHEMA_MATCHES, spec, f"replay failed: {exc}")
        return failed(spec, key, str(exc), [outcome], None, log)


def replay_series(
    con: duckdb.DuckDBPyConnection, fetcher: Fetcher, spec: SeriesSpec, log: Log
) -> SeriesResult:
    """REPLAY=1: rebuild one series (observations, series row, unit changes, with history)
    from the manifest's loads, in order, each at the moment it first became known; one
    transaction, no audit (each batch passed its checks when first published)."""
    key = asset_key_string(spec.id)
    loads = fetcher.manifest.loads(key)
    totals = {"inserted": 0, "revised": 0, "withdrawn": 0}
    batch = pl.DataFrame()
    with transaction(con):
        clear_vintaged(con, FRED_OBSERVATIONS.vintaged, {"series_id": spec.id})
        clear_vintaged(con, FRED_SERIES.vintaged, {"series_id": spec.id})
        con.execute("DELETE FROM staging.fred_unit_changes WHERE series_id = ?", [spec.id])
        for load in loads:
            fetched, batch = _replayed_fetch(fetcher, spec, load)
            stored = read_state(con, [spec.id])[spec.id]
            change = detect_unit_change(con, stored, batch)
            known_at = datetime.fromisoformat(load["known_at"])
            window = Window("date", ((fetched.window.start, None),), {"series_id": spec.id})
            stats = upsert_with_vintages(con, FRED_OBSERVATIONS.vintaged, batch,
                                         known_at=known_at, window=window)
            bookkeeping(fetcher, fetched, batch, change, known_at)(con)
            for name in totals:
                totals[name] += getattr(stats, name)
    log.info(f"FRED {spec.id}: rebuilt from {len(loads)} load(s) in the landing zone manifest,"
             f" history included ({totals['inserted']} inserted, {totals['revised']} revised,"
             f" {totals['withdrawn']} withdrawn)")
    stats = UpsertStats(totals["inserted"], totals["revised"], 0, 0, totals["withdrawn"])
    report = PublishReport(key, TABLE, batch.height, stats, ())
    return SeriesResult(spec, key, (), report, (), batch,
                        {"fetch_mode": "replay", "replayed_loads": len(loads)})


def _replayed_fetch(
    fetcher: Fetcher, spec: SeriesSpec, load: dict[str, Any]
) -> tuple[SeriesFetch, pl.DataFrame]:
    bodies = tuple(fetcher.body_of(b) for b in load["bodies"])
    window = RequestWindow(date.fromisoformat(load["window_start"]), full_history=False)
    if load["mode"] == "keyless":
        (csv,) = bodies
        frame = parse_fredgraph_csv(csv.body or b"", spec.id)
        batch = observations_batch(spec.id, frame, units=load["units"],
                                   scale=load["usd_bn_scale"], mode="keyless")
        return SeriesFetch(spec, "keyless", window, True, bodies, csv=csv), batch
    meta = parse_series_json(bodies[0].body or b"")
    frame = pl.concat([parse_observations_json(b.body or b"").frame for b in bodies[1:]])
    batch = observations_batch(spec.id, frame, units=meta.units,
                               scale=usd_bn_scale_for_units(meta.units), mode="api")
    return SeriesFetch(spec, "api", window, True, bodies, meta=meta, observations=frame), batch
