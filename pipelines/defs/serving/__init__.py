"""Serving as Dagster assets: the analytics copy, the report, the alerts (group `serving`)."""

from pipelines.defs.serving.assets import SERVING_ASSETS

__all__ = ["SERVING_ASSETS"]
