"""FRED parsers on the real reference files and on crafted malformed bodies.

Expected values are computed independently of the parser (Python's csv/json modules) or quoted
literally from the files.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from pipelines.lib.errors import ParseError
from pipelines.sources.fred.parse import (
    parse_api_error,
    parse_fredgraph_csv,
    parse_last_updated,
    parse_observations_json,
    parse_series_json,
    parse_vintage_dates_json,
)

LEGACY = "fred/fredgraph_csv_legacy_DATE_header"
CURRENT = "fred/fredgraph_csv_observation_date_header"
API = "fred/api_json"


def _csv_reference(path: Path) -> tuple[dict[date, float], int]:
    """(non-missing values by date, number of missing rows), read with the csv module."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    values = {date.fromisoformat(d): float(v) for d, v in rows if v not in (".", "")}
    return values, len(rows) - len(values)


def _as_dict(frame: pl.DataFrame) -> dict[date, float]:
    return dict(frame.select("date", "value").iter_rows())


def _parse_file(reference_dir: Path, folder: str, series_id: str) -> pl.DataFrame:
    return parse_fredgraph_csv(
        (reference_dir / folder / f"{series_id}.csv").read_bytes(), series_id
    )


# --- real fredgraph.csv files -----------------------------------------------------------------


def test_every_reference_csv_matches_an_independent_csv_module_read(reference_dir: Path) -> None:
    files = sorted((reference_dir / "fred").glob("fredgraph_csv_*/*.csv"))
    assert len(files) == 13
    for path in files:
        frame = parse_fredgraph_csv(path.read_bytes(), path.stem)
        expected, _ = _csv_reference(path)
        assert frame.schema == pl.Schema({"date": pl.Date, "value": pl.Float64}), path
        assert frame.null_count().row(0) == (0, 0), path
        assert _as_dict(frame) == expected, path
        assert frame["date"].is_sorted(), path


def test_legacy_dgs10_drops_its_659_dot_rows_and_keeps_first_and_last_values(
    reference_dir: Path,
) -> None:
    frame = _parse_file(reference_dir, LEGACY, "DGS10")
    expected, missing = _csv_reference(reference_dir / LEGACY / "DGS10.csv")
    assert missing == 659
    assert frame.height == len(expected) == 15396 - 1 - 659
    assert frame.row(0) == (date(1962, 1, 2), 4.06)
    assert frame.row(-1) == (date(2021, 1, 4), 0.93)
    assert date(2021, 1, 1) not in frame["date"].to_list()  # `2021-01-01,.`


def test_current_dexjpus_drops_its_112_empty_rows_never_as_zero(reference_dir: Path) -> None:
    frame = _parse_file(reference_dir, CURRENT, "DEXJPUS")
    expected, missing = _csv_reference(reference_dir / CURRENT / "DEXJPUS.csv")
    assert missing == 112
    assert frame.height == len(expected)
    values = _as_dict(frame)
    assert date(2015, 9, 7) not in values  # `2015-09-07,` (Labor Day)
    assert values[date(2015, 9, 4)] == 119.05 and values[date(2015, 9, 8)] == 119.72
    assert (frame["value"] > 0).all()


def test_current_dgs10_has_the_value_quoted_in_formats_for_2021_01_04(reference_dir: Path) -> None:
    values = _as_dict(_parse_file(reference_dir, CURRENT, "DGS10"))
    assert values[date(2021, 1, 4)] == 0.93
    assert values[date(2026, 4, 16)] == 4.32


def test_legacy_and_current_dgs10_agree_on_every_overlapping_date(reference_dir: Path) -> None:
    legacy = _parse_file(reference_dir, LEGACY, "DGS10")
    current = _parse_file(reference_dir, CURRENT, "DGS10")
    window = pl.col("date").is_between(date(2015, 1, 2), date(2021, 1, 4))
    old, new = legacy.filter(window), current.filter(window)
    assert old.height > 1500
    assert old.equals(new)  # same dates present (missing on the same holidays), same values


def test_oecd_long_decimals_parse_to_the_nearest_double(reference_dir: Path) -> None:
    frame = _parse_file(reference_dir, CURRENT, "IR3TIB01JPM156N")
    assert frame.row(0) == (date(2002, 4, 1), 0.1)  # printed `0.100000000000000006`
    assert frame.row(-1) == (date(2025, 3, 1), float("0.820910000000000029"))


def test_negative_japanese_yields_are_kept_negative(reference_dir: Path) -> None:
    values = _as_dict(_parse_file(reference_dir, LEGACY, "IRLTLT01JPM156N"))
    assert values[date(2019, 1, 1)] == float("-0.11041666666666666667")
    assert values[date(2016, 1, 1)] == -0.06625
    assert sum(v < 0 for v in values.values()) == 3


def test_a_real_zero_stays_zero_while_missing_rows_are_absent(reference_dir: Path) -> None:
    values = _as_dict(_parse_file(reference_dir, LEGACY, "RRPONTSYD"))
    assert 0.0 in values.values()  # low take-up weeks print `0`
    body = b"DATE,RRPONTSYD\n2024-01-01,.\n2024-01-02,0\n2024-01-03,\n2024-01-04,1.5\n"
    frame = parse_fredgraph_csv(body, "RRPONTSYD")
    assert frame.rows() == [(date(2024, 1, 2), 0.0), (date(2024, 1, 4), 1.5)]


# --- both header generations, crafted --------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"DATE,DGS10\n2021-01-01,.\n2021-01-04,0.93\n",
        b"observation_date,DGS10\n2021-01-01,\n2021-01-04,0.93\n",
        b"observation_date,DGS10\r\n2021-01-01,\r\n2021-01-04,0.93\r\n",
        b"\xef\xbb\xbfobservation_date,DGS10\n2021-01-01,\n2021-01-04,0.93\n",
    ],
    ids=["legacy", "current", "crlf", "bom"],
)
def test_both_header_generations_give_the_same_frame(body: bytes) -> None:
    frame = parse_fredgraph_csv(body, "DGS10")
    assert frame.rows() == [(date(2021, 1, 4), 0.93)]


def test_header_only_body_is_an_empty_typed_frame() -> None:
    frame = parse_fredgraph_csv(b"observation_date,SOFR\n", "SOFR")
    assert frame.height == 0
    assert frame.schema == pl.Schema({"date": pl.Date, "value": pl.Float64})


# --- malformed CSV bodies ---------------------------------------------------------------------


def _parse_error(body: bytes, series_id: str = "DGS10") -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_fredgraph_csv(body, series_id)
    return caught.value


def test_html_body_is_refused_as_html() -> None:
    error = _parse_error(b"<!DOCTYPE html>\n<html><body>Service Unavailable</body></html>\n")
    assert "HTML" in str(error)


def test_body_without_final_newline_is_reported_as_truncated(reference_dir: Path) -> None:
    body = (reference_dir / LEGACY / "DGS10.csv").read_bytes()[:-2]  # `...,0.93\n` -> `...,0.9`
    error = _parse_error(body)
    assert "truncated" in str(error)
    assert error.line == 15396


def test_truncated_last_row_reports_its_line() -> None:
    error = _parse_error(b"DATE,DGS10\n2021-01-01,.\n2021-01-0\n")
    assert error.line == 3
    assert "expected 2 fields" in str(error)


def test_value_column_header_for_another_series_is_refused_naming_the_header() -> None:
    error = _parse_error(b"DATE,DGS2\n2021-01-04,0.11\n", series_id="DGS10")
    assert "'DGS2'" in str(error) and "'DGS10'" in str(error)
    assert error.line == 1


def test_unknown_date_header_is_refused_showing_the_first_line() -> None:
    error = _parse_error(b"Date,Value\n2021-01-04,0.93\n")
    assert "no header row" in str(error) and "'Date,Value'" in str(error)


def test_multi_series_header_is_refused() -> None:
    error = _parse_error(b"DATE,DGS10,DGS2\n2021-01-04,0.93,0.11\n")
    assert "3 columns" in str(error)


def test_non_utf8_body_is_refused_with_the_line_of_the_bad_byte() -> None:
    error = _parse_error("observation_date,DGS10\n2021-01-04,０.93\n".encode("cp932"))
    assert "not UTF-8" in str(error)
    assert error.line == 2


def test_empty_body_is_refused() -> None:
    assert "empty" in str(_parse_error(b""))


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        (b"2021-1-4,0.93", "'2021-1-4' is not a YYYY-MM-DD date"),
        (b"2021-02-30,0.93", "'2021-02-30' is not a YYYY-MM-DD date"),
        (b"2021-01-04,n/a", "value 'n/a' is not a number"),
        (b"2021-01-04,NaN", "value 'NaN' is not a number"),
        (b"2021-01-04, 0.93", "value ' 0.93' is not a number"),
        (b"2021-01-04,0.93,", "expected 2 fields"),
        (b"2021-01-01,0.90", "2021-01-01 appears more than once"),
    ],
)
def test_bad_row_raises_with_its_line_number(row: bytes, fragment: str) -> None:
    error = _parse_error(b"DATE,DGS10\n2021-01-01,.\n" + row + b"\n2021-01-05,0.95\n")
    assert fragment in str(error)
    assert error.line == 3


# --- fred/series/observations JSON -------------------------------------------------------------


def test_api_dgs10_page_keeps_paging_fields_and_drops_dot_values(reference_dir: Path) -> None:
    body = (reference_dir / API / "DGS10.json").read_bytes()
    raw = json.loads(body)["observations"]
    page = parse_observations_json(body)
    assert (page.count, page.offset, page.limit, page.units) == (16853, 0, 60, "lin")
    assert page.frame.schema == pl.Schema(
        {"date": pl.Date, "value": pl.Float64, "realtime_start": pl.Date, "realtime_end": pl.Date}
    )
    assert sum(o["value"] == "." for o in raw) == 3
    assert page.frame.height == 57
    assert date(2026, 7, 3) not in page.frame["date"].to_list()
    assert page.frame["date"].is_sorted()
    expected = {
        date.fromisoformat(o["date"]): Decimal(o["value"]) for o in raw if o["value"] != "."
    }
    assert {d: Decimal(str(v)) for d, v in _as_dict(page.frame).items()} == expected


def test_ten_decimal_text_parses_equal_to_the_short_text(reference_dir: Path) -> None:
    frame = parse_observations_json((reference_dir / API / "DGS10.json").read_bytes()).frame
    values = _as_dict(frame)
    assert values[date(2026, 8, 6)] == 4.69  # "4.6900000000"
    assert values[date(2026, 7, 20)] == 4.6  # "4.6000000000"
    assert values[date(2026, 6, 25)] == 4.4  # "4.4"
    row = ("2026-07-20", "{}", "2026-08-07", "2026-08-07")
    long_page = parse_observations_json(_observations(row).replace(b"{}", b"4.6000000000"))
    short_page = parse_observations_json(_observations(row).replace(b"{}", b"4.6"))
    assert long_page.frame.equals(short_page.frame)
    assert long_page.frame["value"].to_list() == [4.6]


def test_api_wtregen_is_in_millions(reference_dir: Path) -> None:
    values = _as_dict(
        parse_observations_json((reference_dir / API / "WTREGEN.json").read_bytes()).frame
    )
    assert values[date(2026, 8, 5)] == 907324.0  # "907324.0000000000"
    assert values[date(2025, 6, 25)] == 364375.0  # "364375.0"


def _observations(*rows: tuple[str, str, str, str]) -> bytes:
    keys = ("date", "value", "realtime_start", "realtime_end")
    observations = [dict(zip(keys, row, strict=True)) for row in rows]
    payload = {
        "count": len(rows),
        "offset": 0,
        "limit": 100000,
        "units": "lin",
        "observations": observations,
    }
    return json.dumps(payload).encode()


def test_vintage_rows_for_one_date_are_kept_while_an_exact_repeat_is_refused() -> None:
    first = ("2020-01-01", "1.0", "2020-02-01", "2020-02-28")
    revised = ("2020-01-01", "1.1", "2020-02-29", "9999-12-31")
    frame = parse_observations_json(_observations(revised, first)).frame
    assert frame["value"].to_list() == [1.0, 1.1]
    assert frame.row(1)[3] == date(9999, 12, 31)
    with pytest.raises(ParseError, match="appears more than once"):
        parse_observations_json(_observations(first, first))


def test_observation_with_unparseable_value_names_its_index() -> None:
    body = _observations(
        ("2020-01-01", "1.0", "2020-02-01", "2020-02-01"),
        ("2020-01-02", "n/a", "2020-02-01", "2020-02-01"),
    )
    with pytest.raises(ParseError, match=r"observations\[1\]: value 'n/a'"):
        parse_observations_json(body)


def test_observation_with_a_bad_realtime_end_names_its_index() -> None:
    body = _observations(("2020-01-01", "1.0", "2020-02-01", "9999-99-99"))
    with pytest.raises(ParseError, match=r"observations\[0\]: realtime_end '9999-99-99'"):
        parse_observations_json(body)


def test_observation_without_a_value_field_is_refused() -> None:
    body = b'{"count":1,"offset":0,"limit":1,"units":"lin","observations":[{"date":"2020-01-01"}]}'
    with pytest.raises(ParseError, match=r"observations\[0\]: 'value' is missing"):
        parse_observations_json(body)


# --- API errors --------------------------------------------------------------------------------


def test_rate_limit_body_is_recognised_with_its_exact_message(reference_dir: Path) -> None:
    body = (reference_dir / API / "error_response_429/DGS10.json").read_bytes()
    assert parse_api_error(body) == (429, "Too Many Requests.  Exceeded Rate Limit")
    with pytest.raises(ParseError, match="FRED API error 429"):
        parse_observations_json(body)


@pytest.mark.parametrize(
    "body", [b"DATE,DGS10\n", b"<html></html>", b"\xff\xfe", b"[]", b'{"error_code":"429"}']
)
def test_bodies_that_are_not_api_errors_give_none(body: bytes) -> None:
    assert parse_api_error(body) is None


def test_html_instead_of_json_is_refused_as_html() -> None:
    with pytest.raises(ParseError, match="HTML"):
        parse_observations_json(b"<html><title>502 Bad Gateway</title></html>")


# --- fred/series metadata ---------------------------------------------------------------------

SP500_SERIES = (
    '{"realtime_start":"2023-09-19","realtime_end":"2023-09-19","seriess":[{"id":"SP500",'
    '"realtime_start":"2023-09-19","realtime_end":"2023-09-19","title":"S&P 500",'
    '"observation_start":"2013-09-19","observation_end":"2023-09-18","frequency":"Daily, Close",'
    '"frequency_short":"D","units":"Index","units_short":"Index",'
    '"seasonal_adjustment":"Not Seasonally Adjusted","seasonal_adjustment_short":"NSA",'
    '"last_updated":"2023-09-18 19:10:56-05","popularity":82,"notes":"Line one.\\r\\nLine two."}]}'
)


def test_series_metadata_is_read_from_the_seriess_array() -> None:
    meta = parse_series_json(SP500_SERIES.encode())
    assert (meta.id, meta.title, meta.units, meta.frequency_short) == (
        "SP500",
        "S&P 500",
        "Index",
        "D",
    )
    assert meta.seasonal_adjustment == "Not Seasonally Adjusted"
    assert (meta.observation_start, meta.observation_end) == (date(2013, 9, 19), date(2023, 9, 18))
    assert meta.notes == "Line one.\r\nLine two."


def test_last_updated_minus_05_is_cdt() -> None:
    stamp = parse_last_updated("2023-09-18 19:10:56-05")
    assert stamp.utcoffset() == timedelta(hours=-5)
    assert stamp.astimezone(UTC) == datetime(2023, 9, 19, 0, 10, 56, tzinfo=UTC)


def test_last_updated_minus_06_is_cst() -> None:
    meta = parse_series_json(SP500_SERIES.replace("19:10:56-05", "19:10:56-06").encode())
    assert meta.last_updated.utcoffset() == timedelta(hours=-6)
    assert meta.last_updated.astimezone(UTC) == datetime(2023, 9, 19, 1, 10, 56, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["2023-09-18 19:10:56", "2023-09-18T19:10:56-05", "2023-13-01 00:00:00-05"]
)
def test_last_updated_in_another_shape_is_refused(text: str) -> None:
    with pytest.raises(ParseError, match="last_updated"):
        parse_last_updated(text)


def test_series_body_with_single_s_key_is_refused() -> None:
    with pytest.raises(ParseError, match="seriess"):
        parse_series_json(SP500_SERIES.replace('"seriess"', '"series"').encode())


# --- fred/series/vintagedates ------------------------------------------------------------------


def test_vintage_dates_are_read_with_their_count() -> None:
    body = (
        b'{"realtime_start":"1776-07-04","realtime_end":"9999-12-31","order_by":"vintage_date",'
        b'"sort_order":"asc","count":3,"offset":0,"limit":10000,'
        b'"vintage_dates":["1991-01-01","1991-02-01","2026-08-07"]}'
    )
    page = parse_vintage_dates_json(body)
    assert page.dates == (date(1991, 1, 1), date(1991, 2, 1), date(2026, 8, 7))
    assert (page.count, page.offset, page.limit) == (3, 0, 10000)


def test_vintage_date_in_another_format_is_refused() -> None:
    body = b'{"count":1,"offset":0,"limit":10000,"vintage_dates":["01/02/1991"]}'
    with pytest.raises(ParseError, match=r"vintage_dates\[0\] '01/02/1991'"):
        parse_vintage_dates_json(body)
