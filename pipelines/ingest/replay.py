"""REPLAY=1 for a file-based dataset: rebuild its table and `_history` from the landing zone.

Each load in the manifest is re-parsed from its raw bytes and merged at the moment it first
became known, in order, in one transaction. No audit: each batch passed its checks when it was
first published, and a replay must reproduce exactly that.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from pipelines.ingest.files import FileIngest, IngestResult, parse, withdrawal_window
from pipelines.lib.datasets import Parsed, SourceFile
from pipelines.lib.errors import LandingZoneError
from pipelines.lib.fetcher import Fetcher
from pipelines.lib.tables import create_table
from pipelines.lib.vintages import clear_vintaged, upsert_with_vintages
from pipelines.lib.warehouse import transaction


def replays(fetcher: Fetcher, job: FileIngest) -> bool:
    """A replay run, with loads of this dataset in the manifest to rebuild from."""
    return bool(fetcher.replay and fetcher.manifest.loads(job.name))


def replay(con: duckdb.DuckDBPyConnection, fetcher: Fetcher, job: FileIngest,
           log: Any) -> IngestResult:
    ds = job.dataset
    loads = fetcher.manifest.loads(ds.name)
    files = {f.name: f for f in job.files}
    spec = ds.table.vintaged
    totals = {"inserted": 0, "revised": 0, "withdrawn": 0}
    with transaction(con):
        create_table(con, ds.table)
        clear_vintaged(con, spec)
        con.execute("DELETE FROM raw.loaded_files WHERE dataset = ?", [ds.name])
        for load in loads:
            parsed = [_replayed(fetcher, job, files, body) for body in load["bodies"]]
            batch = ds.combine(parsed)
            stats = upsert_with_vintages(con, spec, batch,
                                         known_at=datetime.fromisoformat(load["known_at"]),
                                         window=withdrawal_window(job, parsed))
            for name in totals:
                totals[name] += getattr(stats, name)
            for p in parsed:
                fetcher.mark_loaded(con, ds.name, p.fetched, p.frame.height, p.period_key)
            if ds.also_write is not None:
                ds.also_write(con, parsed)
    log.info(f"{ds.table_name}: rebuilt from {len(loads)} load(s) in the landing"
             f" zone manifest, history included ({totals['inserted']} inserted,"
             f" {totals['revised']} revised, {totals['withdrawn']} withdrawn)")
    return IngestResult(loaded=True, metadata={
        "replayed_loads": len(loads), "table": ds.table_name,
        **{f"rows_{k}": v for k, v in totals.items()}})


def _replayed(fetcher: Fetcher, job: FileIngest, files: dict[str, SourceFile],
              body: dict[str, Any]) -> Parsed:
    f = files.get(body["name"])
    if f is None:
        raise LandingZoneError(job.source, body.get("url"),
                               f"replay: the manifest names file {body['name']!r}, which"
                               f" {job.name} no longer reads")
    fetched = fetcher.body_of(body)
    assert fetched.body is not None
    frame, empty, month = parse(f, fetched.body)
    period = f.period_of(fetched.body) if f.period_of else None
    return Parsed(f, fetched, frame, period, None, empty, month)
