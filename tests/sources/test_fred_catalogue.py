"""The FRED catalogue, its units and magnitude check, and the request builders that use its ids."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
import yaml

from pipelines.sources.fred.catalogue import (
    DEFAULT_CATALOGUE,
    SeriesSpec,
    load_catalogue,
    validate_series_id,
)
from pipelines.sources.fred.parse import parse_fredgraph_csv, parse_observations_json
from pipelines.sources.fred.units import check_magnitude, usd_bn_scale_for_units
from pipelines.sources.fred.urls import (
    fredgraph_request,
    observations_request,
    series_request,
    split_vintage_dates,
    vintagedates_request,
)

DEFAULT_IDS = {
    "DGS2",
    "DGS5",
    "DGS10",
    "DGS30",
    "DGS3MO",
    "DFF",
    "SOFR",
    "DEXJPUS",
    "IR3TIB01JPM156N",
    "IRLTLT01JPM156N",
    "IRSTCI01JPM156N",
    "WALCL",
    "WDTGAL",
    "WTREGEN",
    "RRPONTSYD",
    "CBBTCUSD",
    "FORLTTREASNET42609",
    "FORSTTREASNET42609",
}
KEY = "abcdef0123456789abcdef0123456789"


@pytest.fixture(scope="module")
def catalogue() -> dict[str, SeriesSpec]:
    return {spec.id: spec for spec in load_catalogue()}


# --- the default catalogue ----------------------------------------------------------------------


def test_default_catalogue_lists_exactly_the_project_series(
    catalogue: dict[str, SeriesSpec],
) -> None:
    assert set(catalogue) == DEFAULT_IDS
    assert len(load_catalogue()) == len(DEFAULT_IDS)


def test_dollar_amounts_carry_the_scale_of_their_stated_unit(
    catalogue: dict[str, SeriesSpec],
) -> None:
    assert catalogue["WTREGEN"].units == "Millions of U.S. Dollars"
    assert catalogue["WTREGEN"].usd_bn_scale == 0.001
    assert catalogue["RRPONTSYD"].usd_bn_scale == 1.0
    assert catalogue["FORLTTREASNET42609"].usd_bn_scale == 0.001
    assert catalogue["CBBTCUSD"].units == "U.S. Dollars"
    assert catalogue["CBBTCUSD"].usd_bn_scale is None  # a price per coin, not an amount
    assert catalogue["DEXJPUS"].usd_bn_scale is None
    assert catalogue["DGS10"].usd_bn_scale is None


def test_revisable_monthly_series_are_refetched_for_at_least_a_year(
    catalogue: dict[str, SeriesSpec],
) -> None:
    for spec in catalogue.values():
        if spec.frequency == "monthly":
            assert spec.revision_window_days >= 365, spec.id
        else:
            assert 7 <= spec.revision_window_days <= 60, spec.id


def test_starts_are_the_documented_first_observations(catalogue: dict[str, SeriesSpec]) -> None:
    assert catalogue["DGS10"].start == date(1962, 1, 2)
    assert catalogue["DEXJPUS"].start == date(1971, 1, 4)
    assert catalogue["IR3TIB01JPM156N"].start == date(2002, 4, 1)
    assert all(spec.start < date.today() for spec in catalogue.values())


@pytest.mark.parametrize(
    ("folder", "series_id"),
    [
        ("fredgraph_csv_legacy_DATE_header", "DGS2"),
        ("fredgraph_csv_legacy_DATE_header", "DGS5"),
        ("fredgraph_csv_legacy_DATE_header", "DGS10"),
        ("fredgraph_csv_legacy_DATE_header", "DGS30"),
        ("fredgraph_csv_legacy_DATE_header", "WALCL"),
        ("fredgraph_csv_legacy_DATE_header", "RRPONTSYD"),
        ("fredgraph_csv_legacy_DATE_header", "CBBTCUSD"),
        ("fredgraph_csv_legacy_DATE_header", "IRLTLT01JPM156N"),
        ("fredgraph_csv_observation_date_header", "DEXJPUS"),
        ("fredgraph_csv_observation_date_header", "DGS10"),
        ("fredgraph_csv_observation_date_header", "SOFR"),
        ("fredgraph_csv_observation_date_header", "IR3TIB01JPM156N"),
    ],
)
def test_real_values_fit_the_catalogue_range_and_magnitude(
    reference_dir: Path, catalogue: dict[str, SeriesSpec], folder: str, series_id: str
) -> None:
    body = (reference_dir / "fred" / folder / f"{series_id}.csv").read_bytes()
    values = parse_fredgraph_csv(body, series_id)["value"]
    spec = catalogue[series_id]
    assert spec.min <= values.min() and values.max() <= spec.max
    assert check_magnitude(spec, values) is None


def test_api_wtregen_in_millions_fits_the_catalogue(
    reference_dir: Path, catalogue: dict[str, SeriesSpec]
) -> None:
    for series_id in ("WTREGEN", "WALCL"):
        body = (reference_dir / "fred/api_json" / f"{series_id}.json").read_bytes()
        values = parse_observations_json(body).frame["value"]
        assert check_magnitude(catalogue[series_id], values) is None


# --- magnitude check ----------------------------------------------------------------------------


def test_wtregen_download_in_billions_is_flagged_against_the_millions_catalogue(
    reference_dir: Path, catalogue: dict[str, SeriesSpec]
) -> None:
    body = (reference_dir / "fred/fredgraph_csv_legacy_DATE_header/WTREGEN.csv").read_bytes()
    message = check_magnitude(catalogue["WTREGEN"], parse_fredgraph_csv(body, "WTREGEN")["value"])
    assert message is not None
    assert "values look like billions, catalogue says millions" in message


def test_rrp_in_millions_is_flagged_against_the_billions_catalogue(
    catalogue: dict[str, SeriesSpec],
) -> None:
    message = check_magnitude(catalogue["RRPONTSYD"], pl.Series([2_366_798.0, 1_820_146.0]))
    assert message is not None and "values look like millions, catalogue says billions" in message


def test_yield_in_basis_points_is_flagged_as_out_of_range(catalogue: dict[str, SeriesSpec]) -> None:
    message = check_magnitude(catalogue["DGS10"], pl.Series([425.0, 431.0, 428.0]))
    assert message is not None and "does not look like Percent" in message


def test_no_values_means_nothing_to_flag(catalogue: dict[str, SeriesSpec]) -> None:
    assert check_magnitude(catalogue["WALCL"], pl.Series([], dtype=pl.Float64)) is None


@pytest.mark.parametrize(
    ("units", "scale"),
    [
        ("Millions of U.S. Dollars", 0.001),
        ("Billions of U.S. Dollars", 1.0),
        ("Millions of Dollars", 0.001),
        ("Billions of Dollars", 1.0),
        ("Thousands of U.S. Dollars", 1e-6),
        ("Trillions of Dollars", 1000.0),
        ("Mil. of U.S. $", 0.001),
        ("Bil. of $", 1.0),
        ("  millions of  U.S. dollars ", 0.001),
        ("U.S. Dollars", None),
        ("Percent", None),
        ("Japanese Yen to One U.S. Dollar", None),
        ("Billions of Chained 2017 Dollars", None),
        ("Index", None),
    ],
)
def test_units_string_maps_to_its_usd_billions_multiplier(units: str, scale: float | None) -> None:
    assert usd_bn_scale_for_units(units) == scale


# --- catalogue validation -----------------------------------------------------------------------


def _entry(**changes: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": "WALCL",
        "title": "Total Assets",
        "purpose": "Fed balance sheet.",
        "units": "Millions of U.S. Dollars",
        "usd_bn_scale": 0.001,
        "frequency": "weekly",
        "min": 500000,
        "max": 20000000,
        "revision_window_days": 28,
        "start": "2002-12-18",
    }
    entry.update(changes)
    return {key: value for key, value in entry.items() if value is not None}


def _write(tmp_path: Path, *entries: dict[str, object]) -> Path:
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump({"series": list(entries)}), encoding="utf-8")
    return path


def test_a_valid_entry_loads_as_a_frozen_spec(tmp_path: Path) -> None:
    (spec,) = load_catalogue(_write(tmp_path, _entry()))
    assert spec == SeriesSpec(
        id="WALCL",
        title="Total Assets",
        purpose="Fed balance sheet.",
        units="Millions of U.S. Dollars",
        frequency="weekly",
        min=500000.0,
        max=20000000.0,
        revision_window_days=28,
        start=date(2002, 12, 18),
        usd_bn_scale=0.001,
    )
    with pytest.raises(AttributeError):
        spec.id = "X"  # type: ignore[misc]


def test_catalogue_rejects_a_bad_id_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"series\[1\].*'DGS10;DROP'"):
        load_catalogue(_write(tmp_path, _entry(), _entry(id="DGS10;DROP")))


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"colour": "red"}, "unknown keys ['colour']"),
        ({"purpose": None}, "missing keys ['purpose']"),
        ({"min": 5, "max": 5}, "min 5 must be below max 5"),
        ({"frequency": "quarterly"}, "frequency 'quarterly' is not one of"),
        ({"usd_bn_scale": 1}, "does not match units 'Millions of U.S. Dollars': use 0.001"),
        ({"usd_bn_scale": None}, "usd_bn_scale None does not match"),
        ({"revision_window_days": 0}, "revision_window_days must be a positive whole number"),
        ({"start": "18/12/2002"}, "start must be a YYYY-MM-DD date"),
        ({"min": "low"}, "min must be a finite number"),
        ({"title": ""}, "title must be non-empty text"),
    ],
)
def test_catalogue_rejects_an_invalid_field_naming_the_entry(
    tmp_path: Path, changes: dict[str, object], fragment: str
) -> None:
    with pytest.raises(ValueError) as caught:
        load_catalogue(_write(tmp_path, _entry(**changes)))
    assert fragment in str(caught.value)
    assert "series[0] (WALCL)" in str(caught.value)


def test_price_series_must_not_carry_a_usd_bn_scale(tmp_path: Path) -> None:
    entry = _entry(id="CBBTCUSD", units="U.S. Dollars", min=50, max=1e7, frequency="daily")
    with pytest.raises(ValueError, match="omit it"):
        load_catalogue(_write(tmp_path, entry))


def test_catalogue_rejects_a_duplicate_id(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="WALCL is listed twice"):
        load_catalogue(_write(tmp_path, _entry(), _entry()))


def test_catalogue_without_a_series_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(json.dumps([_entry()]), encoding="utf-8")
    with pytest.raises(ValueError, match="'series' list"):
        load_catalogue(path)


def test_default_catalogue_file_sits_beside_the_module() -> None:
    assert DEFAULT_CATALOGUE.name == "catalogue.yaml" and DEFAULT_CATALOGUE.is_file()


@pytest.mark.parametrize(
    "bad", ["", "dgs10", "DGS10;DROP", "DGS 10", "A" * 65, "DGS10\n", None, 10]
)
def test_validate_series_id_rejects_anything_but_upper_alnum(bad: object) -> None:
    with pytest.raises(ValueError, match="invalid FRED series id"):
        validate_series_id(bad)


def test_validate_series_id_returns_a_good_id() -> None:
    assert validate_series_id("FORLTTREASNET42609") == "FORLTTREASNET42609"
    assert validate_series_id("A" * 64) == "A" * 64


# --- request builders ---------------------------------------------------------------------------


def test_fredgraph_request_always_sends_cosd() -> None:
    url, params = fredgraph_request("https://fred.stlouisfed.org/", "DGS10", date(1962, 1, 2))
    assert url == "https://fred.stlouisfed.org/graph/fredgraph.csv"
    assert params == {"id": "DGS10", "cosd": "1962-01-02"}
    _, params = fredgraph_request(
        "http://127.0.0.1:8080", "DGS10", date(2020, 1, 1), date(2021, 1, 1)
    )
    assert params["coed"] == "2021-01-01"


def test_observations_request_asks_for_json_and_pages() -> None:
    url, params = observations_request(
        "https://api.stlouisfed.org", "DGS10", KEY, realtime_start=date(2026, 8, 7), offset=100000
    )
    assert url == "https://api.stlouisfed.org/fred/series/observations"
    assert params == {
        "series_id": "DGS10",
        "api_key": KEY,
        "file_type": "json",
        "realtime_start": "2026-08-07",
        "sort_order": "asc",
        "limit": "100000",
        "offset": "100000",
    }


def test_series_and_vintagedates_requests_use_fred_paths() -> None:
    url, params = series_request("https://api.stlouisfed.org", "WTREGEN", KEY)
    assert url.endswith("/fred/series") and params["file_type"] == "json"
    url, params = vintagedates_request("https://api.stlouisfed.org", "WTREGEN", KEY)
    assert url.endswith("/fred/series/vintagedates") and params["limit"] == "10000"


def test_requests_validate_the_id_before_building_a_url() -> None:
    with pytest.raises(ValueError, match="invalid FRED series id"):
        fredgraph_request("https://fred.stlouisfed.org", "DGS10&id=X", date(2020, 1, 1))
    with pytest.raises(ValueError, match="invalid FRED series id"):
        observations_request("https://api.stlouisfed.org", "dgs10", KEY)


@pytest.mark.parametrize("base", ["fred.stlouisfed.org", "ftp://x", "https://x/?a=1", ""])
def test_base_url_must_be_http_without_query(base: str) -> None:
    with pytest.raises(ValueError, match="base URL"):
        fredgraph_request(base, "DGS10", date(2020, 1, 1))


def test_bad_api_key_error_does_not_echo_the_key() -> None:
    secret = "abc def"
    with pytest.raises(ValueError) as caught:
        series_request("https://api.stlouisfed.org", "DGS10", secret)
    assert secret not in str(caught.value)


def test_vintage_dates_split_into_sorted_chunks_of_at_most_2000() -> None:
    start = date(1990, 1, 1)
    dates = [start + timedelta(days=n) for n in range(4500)]
    chunks = split_vintage_dates(reversed(dates + dates[:10]))
    assert [len(chunk) for chunk in chunks] == [2000, 2000, 500]
    assert [d for chunk in chunks for d in chunk] == dates
    _, params = observations_request(
        "https://api.stlouisfed.org", "GDP", KEY, vintage_dates=chunks[2]
    )
    assert params["vintage_dates"].count(",") == 499
    with pytest.raises(ValueError, match="split_vintage_dates"):
        observations_request("https://api.stlouisfed.org", "GDP", KEY, vintage_dates=dates)


def test_a_catalogue_error_is_one_line_naming_the_file_entry_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, _entry(), _entry(id="DGS1", units="Percent", usd_bn_scale=None,
                                             revision_window_days="two weeks"))
    with pytest.raises(ValueError) as caught:
        load_catalogue(path)
    assert str(caught.value) == (
        f"{path}: series[1] (DGS1): revision_window_days must be a positive whole number,"
        " got 'two weeks'")
