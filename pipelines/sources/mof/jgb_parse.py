"""MOF JGB interest rates (国債金利情報): one parser for all four CSVs, English and Japanese.

Layout (FORMATS §2): a title row, a header row (`Date`/`基準日` then tenor labels `1Y`/`1年` …
`40Y`/`40年`), one row per business day, and in the current-month files a `,,,,` row and a
footnote trailer. Dates are Gregorian `YYYY/M/D` (English) or era `S49.9.24` (Japanese). The
missing marker is exactly `-`; `-0.157` is a value, so nothing else may count as missing.

The header is found by content and tenors are mapped by label, never by position, so a
reordered or extended header either parses correctly or fails with a message naming the label.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import polars as pl

from pipelines.lib.errors import ParseError
from pipelines.sources.mof import decode_cp932

TENORS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40)
MISSING = "-"

_HEADER_FIRST_CELLS = frozenset({"Date", "基準日"})
_TENOR_LABEL = re.compile(r"^(\d{1,2})\s*(?:Y|年)$")
_GREGORIAN = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_ERA_DATE = re.compile(r"^([SHR])(\d{1,2})\.(\d{1,2})\.(\d{1,2})$")
# Anything that starts like a date (optional era letter, digits, a date separator) but is not
# one of the two formats above is a corrupted row, e.g. a spreadsheet's `9/24/74`.
_DATE_LIKE = re.compile(r"^[A-Za-z]?\d{1,4}\s*[./\-年]")
_NUMBER = r"^-?\d+(?:\.\d+)?$"
# Kanji era forms seen in MOF's Japanese pages and files: `令和8年11月27日`, `令和8.11.27`,
# `令和元年5月7日`; rewritten to the letter form `R8.11.27` before parsing.
_KANJI_ERA = (("令和", "R"), ("平成", "H"), ("昭和", "S"))
# First cells after the header that are notes, not data: footnote markers and the trailer
# sentence (`※最新のcsvデータが…`, `"If you cannot download the latest csv data…"`).
_NOTE = re.compile(r"^(?:[※*＊注]|\(注|（注|If you |Note|Source|出所|資料)")

# Era letter -> (offset to the Gregorian year, first day, last day). The boundaries are the
# imperial transitions; a date outside its era is a typo or a corrupted file, never data.
ERAS: dict[str, tuple[int, date, date | None]] = {
    "S": (1925, date(1926, 12, 25), date(1989, 1, 7)),
    "H": (1988, date(1989, 1, 8), date(2019, 4, 30)),
    "R": (2018, date(2019, 5, 1), None),
}
_ERA_NAMES = {"昭和": "S", "平成": "H", "令和": "R"}
_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May",),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sep", "Sept"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ],
        start=1,
    )
    for name in names
}

OUTPUT_SCHEMA = pl.Schema({"date": pl.Date, "tenor_years": pl.Int16, "yield_pct": pl.Float64})


@dataclass(frozen=True)
class JgbFile:
    """A parsed JGB file: long rows, the days quoted with every tenor `-` (skipped, counted),
    and the month its title declares (current-month files only)."""

    frame: pl.DataFrame
    empty_days: tuple[date, ...]
    month: date | None


def parse_jgb_csv(body: bytes) -> pl.DataFrame:
    """Parse any of the four MOF JGB CSVs into long rows `date, tenor_years, yield_pct`."""
    return parse_jgb_file(body).frame


def parse_jgb_file(body: bytes) -> JgbFile:
    """Parse any of the four MOF JGB CSVs; see `JgbFile`.

    A `-` cell yields no row (the tenor did not exist or was not quoted that day); a day with
    every tenor `-` is a holiday-style empty row, listed in `empty_days`. Sorted by date then
    tenor. Raises ParseError for a wrong encoding, a missing or unknown header, a first cell
    that is neither a date nor a note, a date outside its era or outside the month the title
    declares, a non-numeric value, or a duplicate date; the message carries the line number.
    """
    rows = list(_numbered_rows(decode_cp932(body)))
    header_index, tenors = _find_header(rows)
    month = next((m for line, r in rows[:header_index] if r
                  for m in [_title_month(_nfkc(r[0]), line)] if m), None)
    grid = _grid(rows[header_index + 1 :], len(tenors) + 1)
    dated = grid if grid.is_empty() else _with_dates(grid)
    if dated.is_empty():
        # A current-month file (its title names the month) is legitimately empty before the
        # month's first quote is published; a history file never is.
        if month is not None:
            return JgbFile(pl.DataFrame(schema=OUTPUT_SCHEMA), (), month)
        raise ParseError(f"no data rows after the header on line {rows[header_index][0]}")
    _check_row_widths(dated, len(tenors) + 1)
    _check_unique_dates(dated)
    if month is not None:
        _check_in_month(dated, month)
    long = _to_long(dated.rename({f"c{i + 1}": str(t) for i, t in enumerate(tenors)}))
    empty = dated.join(long.select("date").unique(), on="date", how="anti")
    return JgbFile(long, tuple(sorted(empty["date"].to_list())), month)


def _check_in_month(dated: pl.DataFrame, month: date) -> None:
    """A current-month file may only hold days of the month its title names."""
    outside = dated.filter((pl.col("date").dt.year() != month.year)
                           | (pl.col("date").dt.month() != month.month)).sort("line")
    if outside.height:
        raise ParseError(
            f"row dated {outside['date'][0].isoformat()} lies outside the month the file's"
            f" title declares ({month:%Y-%m}); the whole file is refused",
            line=outside["line"][0],
        )


def parse_jgb_title_month(body: bytes) -> date | None:
    """The month a current-month file covers, from its title; None for the `_all` files.

    `国債金利情報 (令和7年10月)` -> 2025-10-01, `Interest Rate (September 2026)` -> 2026-09-01.
    Lets a check confirm the current-month file is the month the fetch expected.
    """
    for line, row in _numbered_rows(decode_cp932(body)):
        first = unicodedata.normalize("NFKC", row[0]).strip() if row else ""
        if first in _HEADER_FIRST_CELLS:
            return None
        found = _title_month(first, line)
        if found is not None:
            return found
    return None


def _numbered_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """CSV rows with the 1-based line on which each starts (quoted cells may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for row in reader:
        yield start, row
        start = reader.line_num + 1


def _find_header(rows: list[tuple[int, list[str]]]) -> tuple[int, list[int]]:
    """Index of the header row in `rows` and the tenor (years) of each following column."""
    for index, (line, row) in enumerate(rows):
        if row and row[0].strip() in _HEADER_FIRST_CELLS:
            return index, _tenors_from_header(row, line)
    raise ParseError(
        "header row not found: expected a row whose first cell is 'Date' or '基準日' "
        "(is this a MOF JGB interest-rate CSV?)"
    )


def _tenors_from_header(row: list[str], line: int) -> list[int]:
    labels = [c.strip() for c in row[1:]]
    while labels and not labels[-1]:
        labels.pop()
    tenors: list[int] = []
    for label in labels:
        match = _TENOR_LABEL.match(label)
        years = int(match.group(1)) if match else None
        if years not in TENORS:
            raise ParseError(
                f"unknown tenor label {label!r} in header; expected one of "
                f"{', '.join(f'{t}Y/{t}年' for t in TENORS)}",
                line=line,
            )
        if years in tenors:
            raise ParseError(f"tenor label {label!r} appears twice in header", line=line)
        tenors.append(years)
    missing = [t for t in TENORS if t not in tenors]
    if missing:
        raise ParseError(
            f"header lacks tenor(s) {', '.join(f'{t}Y' for t in missing)}; got {labels}",
            line=line,
        )
    return tenors


def _grid(rows: list[tuple[int, list[str]]], width: int) -> pl.DataFrame:
    """Rows after the header as a string frame `line, cells, c0..c{width-1}`.

    `cells` keeps each row's real width (rows are padded or cut to `width` here), so the width
    check can run on data rows only: the blank and footnote rows legitimately differ.
    """
    lines: list[int] = []
    counts: list[int] = []
    padded: list[list[str]] = []
    for line, row in rows:
        lines.append(line)
        if len(row) == width:
            counts.append(width)
            padded.append(row)
            continue
        filled = min(len(row), width) + sum(1 for c in row[width:] if c.strip())
        counts.append(filled)
        padded.append((row + [""] * width)[:width])
    grid = pl.DataFrame(padded, schema=[f"c{i}" for i in range(width)], orient="row")
    return grid.with_columns(
        pl.Series("line", lines, dtype=pl.Int32), pl.Series("cells", counts, dtype=pl.Int32)
    )


def _with_dates(grid: pl.DataFrame) -> pl.DataFrame:
    """Keep the rows whose first cell is a date, with a `date` column; vectorised.

    A first cell that looks like a date but is in neither MOF format is an error, not a skip:
    silently dropping it would lose a day of data without anyone noticing.
    """
    first = pl.col("c0").str.normalize("NFKC").str.strip_chars()
    for kanji, letter in _KANJI_ERA:
        era_form = (first.str.replace(f"^{kanji}\\s*元", f"{letter}1")
                    .str.replace(f"^{kanji}\\s*", letter)
                    .str.replace(r"^([SHR]\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$",
                                 "$1.$2.$3"))
        first = pl.when(first.str.starts_with(kanji)).then(era_form).otherwise(first)
    parts = grid.with_columns(
        first.alias("date_text"),
        first.str.extract_groups(_GREGORIAN.pattern).alias("g"),
        first.str.extract_groups(_ERA_DATE.pattern).alias("e"),
    ).unnest("g", "e", separator="_")
    is_gregorian = pl.col("g_1").is_not_null()
    is_era = pl.col("e_1").is_not_null()
    malformed = parts.filter(
        ~is_gregorian & ~is_era & pl.col("date_text").str.contains(_DATE_LIKE.pattern)
    )
    if malformed.height:
        cell, line = malformed["date_text"][0], malformed["line"][0]
        raise ParseError(
            f"malformed date {cell!r}: expected YYYY/M/D or era form like S49.9.24, "
            "H31.4.26, R1.5.7 (a spreadsheet re-save rewrites dates as M/D/YY)",
            line=line,
        )
    _refuse_unknown_rows(parts.filter(~is_gregorian & ~is_era))
    offset = pl.lit(None, dtype=pl.Int32)
    for letter, (years, _, _) in ERAS.items():
        offset = pl.when(pl.col("e_1") == letter).then(years).otherwise(offset)
    year = (
        pl.when(is_era)
        .then(offset + pl.col("e_2").cast(pl.Int32))
        .otherwise(pl.col("g_1").cast(pl.Int32))
    )
    month = pl.coalesce("g_2", "e_3").cast(pl.Int32)
    day = pl.coalesce("g_3", "e_4").cast(pl.Int32)
    iso = pl.format(
        "{}-{}-{}",
        year.cast(pl.String).str.zfill(4),
        month.cast(pl.String).str.zfill(2),
        day.cast(pl.String).str.zfill(2),
    )
    dated = parts.filter(is_gregorian | is_era).with_columns(
        iso.str.to_date("%Y-%m-%d", strict=False).alias("date"), pl.col("e_1").alias("era")
    )
    invalid = dated.filter(pl.col("date").is_null())
    if invalid.height:
        raise ParseError(
            f"invalid calendar date {invalid['date_text'][0]!r}", line=invalid["line"][0]
        )
    _check_eras(dated)
    return dated.select("line", "cells", "date", pl.col(r"^c\d+$").exclude("c0"))


def _refuse_unknown_rows(undated: pl.DataFrame) -> None:
    """Rows after the header that are not dates must be blank rows or notes; anything else
    (`令和8.11.27x`, `Total`, a value row under a mangled date) fails the file, naming it,
    instead of being dropped without a word."""
    cells = pl.concat_str(pl.col(r"^c\d+$").exclude("c0"), separator="").str.strip_chars()
    unknown = undated.filter(
        (pl.col("date_text") != "")
        & ~(pl.col("date_text").str.contains(_NOTE.pattern) & (cells == ""))
    ).sort("line")
    blank_with_values = undated.filter((pl.col("date_text") == "") & (cells != "")).sort("line")
    bad = pl.concat([unknown, blank_with_values]).sort("line")
    if bad.height:
        row = bad.row(0, named=True)
        what = repr(row["date_text"]) if row["date_text"] else "an empty first cell"
        raise ParseError(
            f"row starts with {what}, which is neither a date (YYYY/M/D, R8.11.27,"
            " 令和8年11月27日) nor a recognised note: refusing the file rather than dropping"
            " the row", line=row["line"])


def _check_eras(dated: pl.DataFrame) -> None:
    """Each era date must fall inside its era: `H31.5.7` or `S64.1.9` is corruption."""
    outside = pl.lit(False)
    for letter, (_, first, last) in ERAS.items():
        out = pl.col("date") < first
        if last is not None:
            out = out | (pl.col("date") > last)
        outside = outside | ((pl.col("era") == letter) & out)
    bad = dated.filter(outside.fill_null(False) | (pl.col("e_2").cast(pl.Int32) < 1))
    if bad.height:
        era = bad["era"][0]
        _, first, last = ERAS[era]
        end = last.isoformat() if last else "today"
        raise ParseError(
            f"date {bad['date_text'][0]!r} = {bad['date'][0].isoformat()} lies outside era "
            f"{era} ({first.isoformat()} .. {end})",
            line=bad["line"][0],
        )


def _check_row_widths(dated: pl.DataFrame, width: int) -> None:
    bad = dated.filter(pl.col("cells") != width)
    if bad.height:
        raise ParseError(
            f"data row has {bad['cells'][0]} cells, expected {width} (date + {width - 1} tenors)",
            line=bad["line"][0],
        )


def _check_unique_dates(dated: pl.DataFrame) -> None:
    dup = dated.filter(pl.col("date").is_duplicated()).sort("line")
    if dup.height:
        day = dup["date"][0]
        raise ParseError(
            f"duplicate date {day.isoformat()} (first on line {dup['line'][0]})",
            line=dup["line"][1],
        )


def _to_long(wide: pl.DataFrame) -> pl.DataFrame:
    """Unpivot to long, drop `-`, validate and cast every value in one pass."""
    long = (
        wide.drop("cells")
        .unpivot(index=["line", "date"], variable_name="tenor", value_name="text")
        .with_columns(pl.col("text").str.strip_chars())
        .filter(pl.col("text") != MISSING)
    )
    bad = long.filter(~pl.col("text").str.contains(_NUMBER))
    if bad.height:
        first = bad.sort("line").row(0, named=True)
        raise ParseError(
            f"{first['tenor']}Y value {first['text']!r} is not a number "
            f"(the only missing marker is '-'); {bad.height} such cell(s) in the file",
            line=first["line"],
        )
    return long.select(
        "date",
        pl.col("tenor").cast(pl.Int16).alias("tenor_years"),
        pl.col("text").cast(pl.Float64).alias("yield_pct"),
    ).sort("date", "tenor_years")


def _nfkc(cell: str) -> str:
    return unicodedata.normalize("NFKC", cell).strip()


def _title_month(cell: str, line: int) -> date | None:
    if match := re.search(r"(昭和|平成|令和)\s*(\d+|元)\s*年\s*(\d{1,2})\s*月", cell):
        era = _ERA_NAMES[match[1]]
        year = 1 if match[2] == "元" else int(match[2])
        month = _month_start(ERAS[era][0] + year, int(match[3]), cell, line)
        _check_month_in_era(era, month, cell, line)
        return month
    if match := re.search(r"\(\s*([A-Za-z]+)\.?\s+(\d{4})\s*\)", cell):
        number = _MONTH_NAMES.get(match[1].capitalize())
        if number is None:
            raise ParseError(f"unknown month name {match[1]!r} in title {cell!r}", line=line)
        return _month_start(int(match[2]), number, cell, line)
    return None


def _month_start(year: int, month: int, cell: str, line: int) -> date:
    if not 1 <= month <= 12:
        raise ParseError(f"month {month} out of range in title {cell!r}", line=line)
    return date(year, month, 1)


def _check_month_in_era(era: str, month: date, cell: str, line: int) -> None:
    _, first, last = ERAS[era]
    next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    if next_month <= first or (last is not None and month > last):
        raise ParseError(f"title month {cell!r} lies outside era {era}", line=line)
