"""Every asset and check of the code location, in one list (definitions.py, tests, benchmarks).

Build it here rather than by hand: the serving copy depends on every ingestion asset and the
`refresh_outcomes` check covers every ingestion asset and mart, so both follow the FRED
catalogue and the publishers in use. File-based ingestion assets come from the publishers'
declarations (defs/files.py); FRED's per-series assets from its catalogue (defs/fred).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from pipelines.defs.files import file_ingest_assets
from pipelines.defs.fred.assets import build_fred_series, fred_series
from pipelines.defs.marts.assets import MARTS
from pipelines.defs.outcomes import build_outcome_checks
from pipelines.defs.serving.assets import alerts, build_analytics_asset, report
from pipelines.lib.datasets import Publisher

FRED = "fred"


def _publishers(publishers: Sequence[Publisher] | None) -> Sequence[Publisher]:
    if publishers is None:
        from pipelines.definitions import PUBLISHERS

        return PUBLISHERS
    return publishers


def ingest_assets(
    catalogue: Path | str | None = None, publishers: Sequence[Publisher] | None = None,
) -> list[dg.AssetsDefinition]:
    publishers = _publishers(publishers)
    fred = ([fred_series if catalogue is None else build_fred_series(catalogue)]
            if any(p.name == FRED for p in publishers) else [])
    return [*fred, *file_ingest_assets(publishers)]


def location_assets(
    catalogue: Path | str | None = None, publishers: Sequence[Publisher] | None = None,
) -> tuple[list[dg.AssetsDefinition], list[dg.AssetChecksDefinition]]:
    """(assets, checks): ingestion, marts, serving; and the run's `refresh_outcomes` gate."""
    ingest = ingest_assets(catalogue, publishers)
    ingest_keys = sorted({k for a in ingest for k in a.keys}, key=lambda k: k.to_user_string())
    mart_keys = list(MARTS.keys)
    assets = [*ingest, MARTS, build_analytics_asset(ingest_keys), report, alerts]
    return assets, [build_outcome_checks([*ingest_keys, *mart_keys])]


def all_assets(
    catalogue: Path | str | None = None, publishers: Sequence[Publisher] | None = None,
) -> list[dg.AssetsDefinition | dg.AssetChecksDefinition]:
    """Assets and checks in one list, as `dg.materialize` takes them."""
    assets, checks = location_assets(catalogue, publishers)
    return [*assets, *checks]
