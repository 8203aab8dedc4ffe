"""FRED in Dagster: the `fred_series` multi_asset, one key per catalogue series."""

from pipelines.defs.fred.assets import FredConfig, build_fred_series, fred_series, series_key

__all__ = ["FredConfig", "build_fred_series", "fred_series", "series_key"]
