"""FRED (St. Louis Fed) source layer: series catalogue, request builders and parsers.

Plain Python with no Dagster: the FRED engine (pipelines/ingest/fred) fetches the bytes these
requests describe, keeps them as raw landing, and hands them to these parsers.
"""

from pipelines.sources.fred.catalogue import SeriesSpec, load_catalogue, validate_series_id
from pipelines.sources.fred.parse import (
    ObservationsPage,
    SeriesMeta,
    VintageDatesPage,
    parse_api_error,
    parse_fredgraph_csv,
    parse_observations_json,
    parse_series_json,
    parse_vintage_dates_json,
)
from pipelines.sources.fred.units import check_magnitude, usd_bn_scale_for_units
from pipelines.sources.fred.urls import (
    fredgraph_request,
    observations_request,
    series_request,
    split_vintage_dates,
    vintagedates_request,
)

__all__ = [
    "ObservationsPage",
    "SeriesMeta",
    "SeriesSpec",
    "VintageDatesPage",
    "check_magnitude",
    "fredgraph_request",
    "load_catalogue",
    "observations_request",
    "parse_api_error",
    "parse_fredgraph_csv",
    "parse_observations_json",
    "parse_series_json",
    "parse_vintage_dates_json",
    "series_request",
    "split_vintage_dates",
    "usd_bn_scale_for_units",
    "validate_series_id",
    "vintagedates_request",
]
