"""Reading MOF securities-flow CSVs: rows, header checks, amounts, weekly periods and months.

Every assumption about the layout is checked against the file, so a layout change fails with
a ParseError naming the line instead of loading numbers into the wrong columns."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import polars as pl

from pipelines.lib.errors import ParseError
from pipelines.sources.excerpt import with_header
from pipelines.sources.mof import decode_cp932
from pipelines.sources.mof.flows_columns import (
    _AMOUNT,
    _ASSET_SPANS,
    _ASSET_WORDS,
    _BLOCK,
    _ERA_OFFSETS,
    _JA_MONTH,
    _METRIC_WORDS,
    _MONTH_ABBREVIATIONS,
    _NET_WORDS,
    _PERIOD_DOTTED,
    _PERIOD_KANJI,
    _PERIOD_LIKE,
    _UNIT_CELL,
    UNIT,
    Row,
)

# ---------------------------------------------------------------------------------------------
# Rows, header checks


def _rows(body: bytes) -> list[Row]:
    """All CSV rows with the 1-based line each starts on; quoted header cells span lines."""
    reader = csv.reader(io.StringIO(decode_cp932(body), newline=""))
    rows: list[Row] = []
    start = 1
    for row in reader:
        rows.append((start, row))
        start = reader.line_num + 1
    return rows


def _cell(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def _squash(text: str) -> str:
    """NFKC (full-width digits, stops, tildes, colons -> ASCII) and no whitespace at all."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("〜", "~")


def _header_rows(rows: list[Row], is_data: Callable[[list[str]], bool]) -> list[Row]:
    """The rows above the first data row; the file must have at least one data row."""
    for index, (_, row) in enumerate(rows):
        if is_data(row):
            return rows[:index]
    raise ParseError(with_header(
        "no data rows found (is this the expected MOF securities file?)", rows[:15]))


def _check_unit(header: list[Row]) -> None:
    """The header must state 単位：億円 and no other unit: a changed unit fails, not rescales."""
    found = False
    for line, row in header:
        for cell in row:
            squashed = _squash(cell)
            for match in _UNIT_CELL.finditer(squashed):
                unit = match.group(1)
                if unit != UNIT:
                    raise ParseError(
                        f"header states unit {unit!r} in {cell.strip()!r}; this parser "
                        f"reads {UNIT} (100 million yen) only",
                        line=line,
                    )
                found = True
    if not found:
        raise ParseError(with_header(f"unit cell '単位：{UNIT}' not found in the header rows",
                                     header))


def _check_block_headers(header: list[Row], offsets: tuple[int, int]) -> None:
    """The asset-class and acquisition/disposition/net labels must stand above the columns read.

    Columns are read by position (FORMATS §4); this check turns an inserted or moved column
    into an error instead of, say, gross purchases loaded as net.
    """
    expected_asset = {off + rel: words for off in offsets for rel, words in _ASSET_WORDS.items()}
    spans = {off + rel: _ASSET_SPANS[rel] for off in offsets for rel in _ASSET_WORDS}
    expected_metric: dict[int, tuple[str, ...]] = {}
    for off in offsets:
        for rel, name in enumerate(_BLOCK):
            metric = name.rsplit("_", 1)[1]
            expected_metric[off + rel] = _METRIC_WORDS.get(metric, _NET_WORDS)
    for expected, what, span in ((expected_asset, "asset class", spans),
                                 (expected_metric, "metric", {})):
        line, row = _best_header_row(header, expected, what, span)
        for column, words in sorted(expected.items()):
            if not _in_span(row, column, span.get(column, 1), words):
                raise ParseError(with_header(
                    f"{what} header: column {column + 1} reads {_cell(row, column).strip()!r}, "
                    f"expected {words[0]!r} (was a column inserted or moved?)", header),
                    line=line)


def _in_span(row: list[str], column: int, width: int, words: tuple[str, ...]) -> bool:
    return any(_label_matches(_cell(row, c), words) for c in range(column, column + width))


def _best_header_row(
    header: list[Row], expected: dict[int, tuple[str, ...]], what: str, spans: dict[int, int]
) -> Row:
    """The header row whose cells best match the expected labels; none matching is an error."""
    scored = [
        (sum(_in_span(row, c, spans.get(c, 1), words) for c, words in expected.items()), line,
         row)
        for line, row in header
    ]
    best = max(scored, key=lambda item: item[0], default=(0, 0, []))
    if best[0] == 0:
        first = min(expected)
        raise ParseError(with_header(
            f"{what} header row not found: expected {expected[first][0]!r} above column "
            f"{first + 1} and the like", header))
    return best[1], best[2]


def _label_matches(cell: str, words: tuple[str, ...]) -> bool:
    """Japanese labels are matched on the Japanese word (`words[0]`) only.

    A cell like `小計 (Subtotal)` must not satisfy `合計/total`; English-only cells fall back to
    the English words.
    """
    squashed = _squash(cell).casefold()
    if not squashed.isascii():
        return words[0] in squashed
    return any(word.casefold() in squashed for word in words[1:])


def _check_width(row: list[str], width: int, line: int) -> None:
    extra = [c for c in row[width:] if c.strip()]
    if len(row) < width or extra:
        filled = min(len(row), width) + len(extra)
        raise ParseError(f"data row has {filled} cells, expected {width}", line=line)


def _check_first_seen(seen: dict[date, int], key: date, line: int, what: str) -> None:
    if key in seen:
        raise ParseError(
            f"duplicate {what} {key.isoformat()} (first on line {seen[key]})", line=line
        )
    seen[key] = line


# ---------------------------------------------------------------------------------------------
# Values


def _amount(
    cell: str, column: str, line: int, missing: frozenset[str] = frozenset({""})
) -> int | None:
    """`"30,037 "` -> 30037, `-15,228` -> -15228; a missing token -> None; anything else fails."""
    text = cell.strip()
    if text in missing:
        return None
    if not _AMOUNT.match(text):
        raise ParseError(
            f"{column}: {cell!r} is not a whole number of {UNIT} (expected digits with optional "
            "thousands commas and an ASCII '-' sign)",
            line=line,
        )
    return int(text.replace(",", ""))


def _unpublished(cells: list[str], missing: frozenset[str] = frozenset({""})) -> bool:
    """A period row with no values (however many commas it kept) is not yet published."""
    return all(cell.strip() in missing for cell in cells)


def _amounts(cells: list[str], columns: tuple[str, ...], line: int) -> dict[str, object]:
    """All columns of a published row.

    A partly blank row is an error: MOF publishes a period whole, so gaps mean a shifted row.
    """
    blank = [name for name, cell in zip(columns, cells, strict=True) if not cell.strip()]
    if blank:
        raise ParseError(
            f"{len(blank)} of {len(columns)} value cells are blank (first {blank[0]}) while "
            "other cells of the row are filled: a shifted or truncated row?",
            line=line,
        )
    return {name: _amount(cell, name, line) for name, cell in zip(columns, cells, strict=True)}


def _frame(
    records: list[dict[str, object]], schema: dict[str, type[pl.DataType]], what: str, *sort: str
) -> pl.DataFrame:
    if not records:
        raise ParseError(f"no published {what} found (every data row is blank)")
    return pl.DataFrame(records, schema=schema).sort(*sort)


# ---------------------------------------------------------------------------------------------
# Weekly periods


def _refuse_unknown_row(row: list[str], line: int) -> None:
    """A row holding amounts whose first cell is not a period would be lost without a word."""
    if any(_AMOUNT.match(_squash(c).replace(" ", "")) for c in row[1:]):
        raise ParseError(
            f"row starts with {_cell(row, 0).strip()!r}, which is not a week period, yet holds"
            " amounts: refusing the file rather than dropping the row", line=line)


def _is_period_like(cell: str) -> bool:
    return bool(_PERIOD_LIKE.match(_squash(cell)))


def _parse_period(cell: str, line: int) -> tuple[date, date] | None:
    """(Sunday, Saturday) of a period cell; None if the cell is not a period at all.

    Forms: `2026．9．6～9．12`, `2006．12．31～ 2007．1．6`, `2026年9月6日～9月12日`,
    `2026年12月27日～2027年1月2日`. Without an end year, a month before the start month
    means the next year.
    """
    text = _squash(cell)
    match = _PERIOD_DOTTED.match(text) or _PERIOD_KANJI.match(text)
    if match is None:
        if _PERIOD_LIKE.match(text):
            raise ParseError(
                f"malformed period {cell.strip()!r}: expected like 2026．9．6～9．12 or "
                "2026年9月6日～9月12日",
                line=line,
            )
        return None
    y1, m1, d1, y2, m2, d2 = match.groups()
    start_year = int(y1)
    if y2 is not None:
        end_year = int(y2)
    else:
        end_year = start_year + 1 if int(m2) < int(m1) else start_year
    try:
        start = date(start_year, int(m1), int(d1))
        end = date(end_year, int(m2), int(d2))
    except ValueError as exc:
        raise ParseError(f"invalid date in period {cell.strip()!r}: {exc}", line=line) from exc
    if start.weekday() != 6 or end - start != timedelta(days=6):
        raise ParseError(
            f"period {cell.strip()!r} = {start.isoformat()}..{end.isoformat()} is not a "
            "Sunday-to-Saturday week",
            line=line,
        )
    return start, end


# ---------------------------------------------------------------------------------------------
# Monthly rows (montha1, monthb3)


def _month_labels(row: list[str]) -> tuple[int | None, int | None]:
    """(month from the Japanese label `８月`, month from the English `Aug`), None if absent."""
    ja = _JA_MONTH.match(_squash(_cell(row, 1)))
    en = _MONTH_ABBREVIATIONS.get(_cell(row, 2).strip().rstrip(".").capitalize())
    return (int(ja.group(1)) if ja else None), en


def _is_month_row(row: list[str]) -> bool:
    return _month_labels(row) != (None, None)


def _month_rows(rows: list[Row]) -> Iterator[tuple[int, list[str], date]]:
    """Data rows with their month: the year stands on January rows and is carried down.

    The Japanese and English month labels must agree, months must ascend, and the first data
    row must state a year; year cells on other rows (e.g. `(令和8年)`) must agree with it.
    """
    year: int | None = None
    previous: tuple[date, int] | None = None
    for line, row in rows:
        ja, en = _month_labels(row)
        if ja is None and en is None:
            continue
        if ja != en:
            raise ParseError(
                f"month labels disagree or one is missing: {_cell(row, 1).strip()!r} vs "
                f"{_cell(row, 2).strip()!r}",
                line=line,
            )
        assert ja is not None
        stated = _stated_year(_cell(row, 0), line)
        if stated is None and (ja == 1 or year is None):
            what = "a January row" if ja == 1 else "the first data row"
            raise ParseError(f"{what} must state the year in column 1", line=line)
        if stated is not None and ja != 1 and year is not None and stated != year:
            raise ParseError(f"year cell says {stated}, expected {year}", line=line)
        year = stated if stated is not None else year
        assert year is not None
        month = date(year, ja, 1)
        if previous is not None and month != _next_month(previous[0]):
            raise ParseError(
                f"month {month:%Y-%m} does not follow {previous[0]:%Y-%m} (line {previous[1]}); "
                "a wrong or missing year on a January row?",
                line=line,
            )
        previous = (month, line)
        yield line, row, month


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _stated_year(cell: str, line: int) -> int | None:
    """Year in a year cell: `2026`, `2026年`, `(令和8年)`; every year named must agree."""
    text = _squash(cell)
    if not text:
        return None
    years = {int(y) for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", text)}
    for era, number in re.findall(r"(昭和|平成|令和)(\d{1,2}|元)", text):
        years.add(_ERA_OFFSETS[era] + (1 if number == "元" else int(number)))
    if len(years) != 1:
        raise ParseError(f"cannot read one year from year cell {cell.strip()!r}", line=line)
    return years.pop()
