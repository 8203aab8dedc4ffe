"""The serving copy, the report and the alerts."""

import dagster as dg

from pipelines.defs.serving.assets import alerts, build_analytics_asset, report


def serving_assets() -> list[dg.AssetsDefinition]:
    """The serving assets of the default code location (its publishers' ingestion assets as
    the serving copy's inputs), for materialising them alone."""
    from pipelines.defs.location import ingest_assets

    keys = sorted({k for a in ingest_assets() for k in a.keys}, key=lambda k: k.to_user_string())
    return [build_analytics_asset(keys), report, alerts]


__all__ = ["serving_assets"]
