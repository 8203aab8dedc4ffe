"""One ingestion job per release cadence: what a schedule tick or a watcher sensor runs.

Jobs select ingestion assets only. Marts and serving follow by declarative automation (eager),
so a release that changed nothing (skipped materialisations) rebuilds nothing downstream.
FRED series are split by their catalogue frequency, because H.15, H.4.1 and the monthly
OECD/TIC series are published on different days. Built from the declarations
(defs/cadence.py): a job per `Cadence`, named after it.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from pipelines.defs.cadence import Release


def build_job(release: Release) -> dg.UnresolvedAssetJobDefinition:
    return dg.define_asset_job(release.cadence.name,
                               selection=dg.AssetSelection.assets(*release.keys),
                               description=release.cadence.description, tags={"kind": "ingest"})


def build_jobs(releases: Sequence[Release]) -> list[dg.UnresolvedAssetJobDefinition]:
    return [build_job(r) for r in releases]

