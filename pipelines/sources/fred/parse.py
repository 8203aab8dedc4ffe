"""Parsers for FRED responses: pure functions from the exact bytes to typed values.

FRED's missing markers (`.` in legacy CSV and the API, an empty cell in current CSV) mean
"no observation", so those rows are dropped: a missing value is never 0 and never NULL.
Values are compared as numbers, because the API prints the same value as `4.6` and
`4.6000000000` in different epochs. Anything that is not the expected shape raises
ParseError with the line (CSV) or observation index (JSON), so the raw file can be opened there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import polars as pl

from pipelines.lib.errors import ParseError
from pipelines.sources.fred.catalogue import validate_series_id

DATE_HEADERS = ("DATE", "observation_date")  # legacy (until ~late 2024), current
MISSING_MARKERS = (".", "")

_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
_NUMBER_PATTERN = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_LAST_UPDATED = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})([+-])(\d{2})(?::?(\d{2}))?$")
_SHOWN = 80  # characters of an offending line quoted in an error message


@dataclass(frozen=True)
class ObservationsPage:
    """One page of `fred/series/observations`. `count` is the total matching, not this page."""

    frame: pl.DataFrame  # date, value, realtime_start, realtime_end; sorted; missing dropped
    count: int
    offset: int
    limit: int
    units: str  # the transformation requested ("lin" = as published), not the unit of measure


@dataclass(frozen=True)
class SeriesMeta:
    """The fields of `fred/series` that staging keeps with every ingest."""

    id: str
    title: str
    units: str
    units_short: str
    frequency: str
    frequency_short: str
    seasonal_adjustment: str
    last_updated: datetime
    observation_start: date
    observation_end: date
    notes: str | None


@dataclass(frozen=True)
class VintageDatesPage:
    """One page of `fred/series/vintagedates`: the dates on which the series changed."""

    dates: tuple[date, ...]
    count: int
    offset: int
    limit: int


# --- fredgraph.csv ---------------------------------------------------------------------------


def parse_fredgraph_csv(body: bytes, series_id: str) -> pl.DataFrame:
    """Parse a one-series fredgraph.csv into `date` (Date), `value` (Float64), sorted by date.

    Accepts both header generations (`DATE,<ID>` with `.` missing, `observation_date,<ID>`
    with empty missing); the header is found by its content.
    """
    validate_series_id(series_id)
    lines = _csv_lines(body)
    header_index = _find_header(lines, series_id)
    rows = pl.DataFrame(
        {
            "line": pl.int_range(header_index + 2, len(lines) + 1, eager=True),
            "text": lines[header_index + 1 :],
        },
        schema={"line": pl.Int64, "text": pl.String},
    ).filter(pl.col("text").str.strip_chars() != "")
    _require_two_fields(rows)
    fields = rows.select(
        "line",
        pl.col("text").str.split_exact(",", 1).struct.rename_fields(["date_text", "value_text"]),
    ).unnest("text")
    typed = _typed(fields)
    _reject_bad_csv_rows(typed)
    return typed.filter(pl.col("value").is_not_null()).select("date", "value").sort("date")


def _csv_lines(body: bytes) -> list[str]:
    text = _decode(body, "fredgraph.csv")
    if not text.strip():
        raise ParseError("empty body, expected fredgraph.csv with a header row")
    lines = text.split("\n")
    if lines[-1] != "":
        raise ParseError(
            f"last line has no line ending, the body looks truncated: {lines[-1][:_SHOWN]!r}",
            line=len(lines),
        )
    return [line.removesuffix("\r") for line in lines[:-1]]


def _find_header(lines: list[str], series_id: str) -> int:
    for index, line in enumerate(lines):
        cells = [cell.strip() for cell in line.split(",")]
        if cells[0] not in DATE_HEADERS:
            continue
        if len(cells) != 2:
            raise ParseError(
                f"header {line[:_SHOWN]!r} has {len(cells)} columns, expected 2 "
                f"(date, {series_id}); multi-series files are not supported",
                line=index + 1,
            )
        if cells[1] != series_id:
            raise ParseError(
                f"value column header is {cells[1]!r}, expected the series id {series_id!r}",
                line=index + 1,
            )
        return index
    first = next((line for line in lines if line.strip()), "")
    raise ParseError(
        f"no header row 'DATE,{series_id}' or 'observation_date,{series_id}' found; "
        f"first line is {first[:_SHOWN]!r}"
    )


def _require_two_fields(rows: pl.DataFrame) -> None:
    bad = rows.filter(pl.col("text").str.count_matches(",", literal=True) != 1).head(1)
    if bad.height:
        line, text = bad.row(0)
        raise ParseError(
            f"expected 2 fields (date,value), found {text.count(',') + 1}: {text[:_SHOWN]!r}",
            line=line,
        )


def _reject_bad_csv_rows(typed: pl.DataFrame) -> None:
    """Raise at the first row whose date or value does not parse, or whose date repeats."""
    problem = _first_problem(typed, ("date",))
    if problem is not None:
        row, what = problem
        raise ParseError(what, line=row["line"])


# --- fred/series/observations ----------------------------------------------------------------


def parse_observations_json(body: bytes) -> ObservationsPage:
    """Parse one page of `fred/series/observations?file_type=json`.

    Each (date, realtime_start) appears once, so a vintage query (several rows per date) is
    accepted while a repeated row is not. Rows with value "." are dropped.
    """
    payload = _json_object(body, "fred/series/observations")
    observations = payload.get("observations")
    if not isinstance(observations, list):
        raise ParseError("'observations' is missing or not a list")
    keys = ("date", "value", "realtime_start", "realtime_end")
    columns = {f"{key}_text": _string_column(observations, key) for key in keys}
    raw = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String)).with_row_index("index")
    typed = _typed(raw).with_columns(
        _parsed_date("realtime_start_text").alias("realtime_start"),
        _parsed_date("realtime_end_text").alias("realtime_end"),
    )
    problem = _first_problem(typed, ("date", "realtime_start"), ("realtime_end",))
    if problem is not None:
        row, what = problem
        raise ParseError(f"observations[{row['index']}]: {what}")
    frame = (
        typed.filter(pl.col("value").is_not_null())
        .select("date", "value", "realtime_start", "realtime_end")
        .sort("date", "realtime_start")
    )
    return ObservationsPage(
        frame=frame,
        count=_int_field(payload, "count"),
        offset=_int_field(payload, "offset"),
        limit=_int_field(payload, "limit"),
        units=_str_field(payload, "units"),
    )


def _string_column(observations: list[Any], key: str) -> list[str]:
    values = []
    for index, item in enumerate(observations):
        value = item.get(key) if isinstance(item, dict) else None
        if not isinstance(value, str):
            raise ParseError(f"observations[{index}]: {key!r} is missing or not text: {item!r}")
        values.append(value)
    return values


# --- fred/series and fred/series/vintagedates ------------------------------------------------


def parse_series_json(body: bytes) -> SeriesMeta:
    """Parse `fred/series?file_type=json` (one series; the array key is `seriess`)."""
    payload = _json_object(body, "fred/series")
    entries = payload.get("seriess")
    if not isinstance(entries, list) or len(entries) != 1 or not isinstance(entries[0], dict):
        raise ParseError(f"expected 'seriess' to hold exactly one series, got {entries!r:.200}")
    return parse_series_entry(entries[0])


def parse_series_entry(entry: dict[str, Any]) -> SeriesMeta:
    """One item of a `seriess` list (`fred/series`, `fred/series/updates`)."""
    notes = entry.get("notes")
    return SeriesMeta(
        id=validate_series_id(_str_field(entry, "id")),
        title=_str_field(entry, "title"),
        units=_str_field(entry, "units"),
        units_short=_str_field(entry, "units_short"),
        frequency=_str_field(entry, "frequency"),
        frequency_short=_str_field(entry, "frequency_short"),
        seasonal_adjustment=_str_field(entry, "seasonal_adjustment"),
        last_updated=parse_last_updated(_str_field(entry, "last_updated")),
        observation_start=_iso_date(_str_field(entry, "observation_start"), "observation_start"),
        observation_end=_iso_date(_str_field(entry, "observation_end"), "observation_end"),
        notes=notes if isinstance(notes, str) else None,
    )


def parse_last_updated(text: str) -> datetime:
    """Parse FRED's `2023-09-18 19:10:56-05` (hours-only UTC offset) to an aware datetime."""
    match = _LAST_UPDATED.fullmatch(text)
    if match is None:
        raise ParseError(f"last_updated {text!r} is not 'YYYY-MM-DD HH:MM:SS+HH'")
    stamp, sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    try:
        tz = timezone(-offset if sign == "-" else offset)
        return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)
    except ValueError as exc:
        raise ParseError(f"last_updated {text!r}: {exc}") from None


def parse_vintage_dates_json(body: bytes) -> VintageDatesPage:
    """Parse `fred/series/vintagedates?file_type=json` into dates plus paging fields."""
    payload = _json_object(body, "fred/series/vintagedates")
    items = payload.get("vintage_dates")
    if not isinstance(items, list):
        raise ParseError("'vintage_dates' is missing or not a list")
    dates = tuple(
        _iso_date(item if isinstance(item, str) else repr(item), f"vintage_dates[{index}]")
        for index, item in enumerate(items)
    )
    return VintageDatesPage(
        dates=dates,
        count=_int_field(payload, "count"),
        offset=_int_field(payload, "offset"),
        limit=_int_field(payload, "limit"),
    )


def parse_api_error(body: bytes) -> tuple[int, str] | None:
    """Return (error_code, error_message) if `body` is a FRED API error, else None.

    Used on non-200 responses, so it never raises: a body that is not such JSON is None.
    """
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    code, message = payload.get("error_code"), payload.get("error_message")
    if isinstance(code, bool) or not isinstance(code, int) or not isinstance(message, str):
        return None
    return code, message


# --- shared helpers ---------------------------------------------------------------------------


def _decode(body: bytes, what: str) -> str:
    """Strict UTF-8, without a BOM; HTML (an error or consent page) is refused."""
    try:
        text = body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise ParseError(
            f"body is not UTF-8 (byte 0x{body[exc.start]:02x} at offset {exc.start}), "
            f"expected {what}",
            line=line,
        ) from None
    head = text.lstrip()[:512].lower()
    if head.startswith("<") or "<html" in head:
        raise ParseError(f"body is HTML, not {what}: {text.lstrip()[:_SHOWN]!r}", line=1)
    return text


def _json_object(body: bytes, what: str) -> dict[str, Any]:
    text = _decode(body, f"{what} JSON")
    try:
        payload = json.loads(text)
    except ValueError as exc:
        raise ParseError(f"body is not valid JSON ({exc}), expected {what}") from None
    if not isinstance(payload, dict):
        raise ParseError(f"expected a JSON object from {what}, got {type(payload).__name__}")
    error = parse_api_error(body)
    if error is not None:
        raise ParseError(f"FRED API error {error[0]}: {error[1]}")
    return payload


def _parsed_date(column: str) -> pl.Expr:
    """ISO date or null; the regex keeps polars from accepting `2021-1-4` or padded text."""
    text = pl.col(column)
    return pl.when(text.str.contains(_DATE_PATTERN)).then(
        text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    )


def _typed(raw: pl.DataFrame) -> pl.DataFrame:
    """Add `date` and `value` from `date_text`/`value_text`; `is_missing` marks FRED's markers.

    A value that is neither a marker nor a finite decimal becomes null with `is_missing`
    false, which `_first_problem` reports.
    """
    value_text = pl.col("value_text")
    number = value_text.cast(pl.Float64, strict=False)
    return raw.with_columns(
        _parsed_date("date_text").alias("date"),
        pl.when(value_text.str.contains(_NUMBER_PATTERN) & number.is_finite())
        .then(number)
        .alias("value"),
        value_text.is_in(MISSING_MARKERS).alias("is_missing"),
    )


def _first_problem(
    typed: pl.DataFrame, keys: tuple[str, ...], other_dates: tuple[str, ...] = ()
) -> tuple[dict[str, Any], str] | None:
    """The first row that cannot be stored, with what is wrong with it, or None.

    `keys` (starting with `date`) must be unique together; `keys[1:]` and `other_dates` are
    further date columns parsed from `<name>_text`.
    """
    checks: list[tuple[pl.Expr, str]] = [
        (pl.col("date").is_null(), "date {date_text!r} is not a YYYY-MM-DD date"),
        (
            pl.col("value").is_null() & ~pl.col("is_missing"),
            "value {value_text!r} is not a number (nor '.' or empty for missing)",
        ),
    ]
    checks += [
        (pl.col(name).is_null(), f"{name} {{{name}_text!r}} is not a YYYY-MM-DD date")
        for name in (*keys[1:], *other_dates)
    ]
    repeated = "date {date_text} appears more than once"
    if len(keys) > 1:
        repeated += " with the same " + ", ".join(keys[1:])
    checks.append((~pl.struct(list(keys)).is_first_distinct(), repeated))
    for condition, message in checks:
        bad = typed.filter(condition).head(1)
        if bad.height:
            row = bad.row(0, named=True)
            return row, message.format(**row)
    return None


def _iso_date(text: str, what: str) -> date:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise ParseError(f"{what} {text!r} is not a YYYY-MM-DD date")


def _str_field(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str):
        raise ParseError(f"field {key!r} is missing or not text: {value!r}")
    return value


def _int_field(payload: dict[str, Any], key: str) -> int:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParseError(f"field {key!r} is missing or not a non-negative integer: {value!r}")
    return value
