"""Parsers for the two TIC Major Foreign Holders files: bytes in, long tables out.

Both files are spreadsheet exports whose layout drifts (rows re-sorted each year, series-break
columns, footnote-decorated labels), so everything is found by content, never by line
number, and any cell we cannot read stops the parse with its line number rather than
producing a quietly wrong holding. Pure functions: no I/O, no Dagster.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Final, NamedTuple

import polars as pl

from pipelines.lib.errors import ParseError
from pipelines.sources.excerpt import with_header
from pipelines.sources.tic.labels import Holder, classify, is_of_which, normalise_label

LESS_THAN_50M_USD_BN: Final = 0.025
"""Value stored for a `*` cell ("less than $50 million"): the midpoint of [0, 0.05) bn.

Not missing (the holder did report), not 0 (which the file prints as `0`), and small enough
that no total moves by more than the file's own rounding.
"""

HOLDINGS_SCHEMA: Final = {
    "country": pl.String,
    "holder_code": pl.String,
    "holder_type": pl.String,
    "month": pl.Date,
    "holdings_usd_bn": pl.Float64,
    "old_series_usd_bn": pl.Float64,
}
"""`old_series_usd_bn`: at a series break (a month printed twice in `mfhhis01.txt`), the
previous series' estimate for the same month, which the file shows "for comparison only";
NULL in every other month and in Table 5. The marts use it to take the break out of changes."""
REVISIONS_SCHEMA: Final = {"data_year": pl.Int32, "revised_on": pl.Date}

_MONTHS: Final = tuple("jan feb mar apr may jun jul aug sep oct nov dec".split())
_MONTH_NAMES: Final = tuple(
    "january february march april may june july august september october november december".split()
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_NOT_AVAILABLE: Final = frozenset({"n.a.", "n.a", "na"})
_YEAR = re.compile(r"\d{4}")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")
_STAMP = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})")
_REVISED = re.compile(r"\(?\s*(\d{4}) revised ([A-Za-z]+)\.? (\d{1,2}), (\d{4})\s*\)?")
_UNITS = re.compile(r"\b(billions|millions|thousands)\s+of\s+(?:u\.?s\.?\s+)?dollars\b", re.I)


@dataclass(frozen=True)
class MfhHistory:
    """The parsed `mfhhis01.txt`: holdings by holder and month, and the trailer's stamps."""

    holdings: pl.DataFrame
    release_date: date
    revisions: pl.DataFrame


@dataclass(frozen=True)
class Table5:
    """The parsed `slt_table5.txt`: ~13 recent months of holdings, and its preamble lines."""

    holdings: pl.DataFrame
    title: str | None
    units: str | None


class _Obs(NamedTuple):
    holder: Holder
    month: date
    value: float
    line: int


# ---------------------------------------------------------------------------- shared helpers


def _decode(body: bytes, source: str) -> str:
    """ASCII, strictly: a changed encoding must stop the parse, not slip in U+FFFD."""
    head = body.lstrip()[:1024].lower()
    if not head:
        raise ParseError(source=source, what="empty body")
    if head.startswith(b"<") and (b"<html" in head or b"<!doctype" in head):
        raise ParseError(
            source=source,
            what="body is an HTML page, not the tab-delimited text file "
            "(an error page or a moved URL?)",
        )
    try:
        return body.decode("ascii")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise ParseError(
            source=source,
            what=f"non-ASCII byte 0x{body[exc.start]:02x} at offset {exc.start}; "
            "TIC files are plain ASCII",
            line=line,
        ) from exc


def _rows(text: str, source: str, *, quoted: bool) -> list[tuple[int, list[str]]]:
    """Tab-separated rows with the 1-based line each one ends on."""
    stream = io.StringIO(text, newline="")
    if quoted:
        reader = csv.reader(stream, delimiter="\t", quotechar='"', strict=True)
    else:
        reader = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise ParseError(
            source=source, what=f"unreadable line ({exc})", line=reader.line_num + 1
        ) from exc
    return rows


def _blank(cell: str) -> bool:
    return not cell.strip()


def _parse_value(cell: str) -> float | None:
    """A holding in billions; None for an empty or `n.a.` cell. Raises ValueError otherwise."""
    text = cell.strip()
    if not text or text.casefold() in _NOT_AVAILABLE:
        return None
    if text == "*":
        return LESS_THAN_50M_USD_BN
    if _NUMBER.fullmatch(text):
        return float(text)
    raise ValueError(f"{cell!r} is not a number")


def _check_units(cells: Iterable[str], line: int, source: str) -> str | None:
    """Return the units text if this row states one; refuse anything but billions of dollars."""
    for cell in cells:
        found = _UNITS.search(cell)
        if found is None:
            continue
        if found.group(1).casefold() != "billions":
            raise ParseError(
                source=source,
                what=f"units line says {cell.strip()!r}; expected 'Billions of dollars'",
                line=line,
            )
        return cell.strip()
    return None


def _classify(label: str, *, in_memo: bool, line: int, source: str) -> Holder:
    try:
        return classify(label, in_memo_section=in_memo)
    except ValueError as exc:
        raise ParseError(source=source, what=str(exc), line=line) from exc


def _holdings_frame(
    observations: Iterable[_Obs], source: str, old_series: Iterable[_Obs] = ()
) -> pl.DataFrame:
    """One row per (holder, month); a second value for the same pair is an error.

    `old_series` are the comparison-only values of the previous series at a break: each goes
    into `old_series_usd_bn` of its (holder, month) row, never a row of its own.
    """
    old = {(o.holder.holder_code, o.month): o.value for o in old_series}
    seen: dict[tuple[str, date], int] = {}
    records: list[tuple[str, str, str, date, float, float | None]] = []
    for obs in observations:
        key = (obs.holder.holder_code, obs.month)
        if key in seen:
            raise ParseError(
                source=source,
                what=f"{obs.holder.label} {obs.month:%b-%Y} appears twice "
                f"(first at line {seen[key]})",
                line=obs.line,
            )
        seen[key] = obs.line
        h = obs.holder
        records.append((h.label, h.holder_code, h.holder_type, obs.month, obs.value,
                        old.get(key)))
    frame = pl.DataFrame(records, schema=HOLDINGS_SCHEMA, orient="row")
    return frame.sort("month", "holder_code")


def _row_values(
    cells: list[str], months: dict[int, date], known: set[int], *, line: int, source: str
) -> Iterator[tuple[date, float]]:
    """(month, value) for each kept column that holds a value."""
    label = normalise_label(cells[0])
    for col, cell in enumerate(cells[1:], start=1):
        if col not in known:
            if not _blank(cell):
                raise ParseError(
                    source=source,
                    what=f"{label}: value {cell!r} in column {col + 1}, which has no month",
                    line=line,
                )
            continue
        if col not in months:  # the other series of a break month (read by another call)
            continue
        try:
            value = _parse_value(cell)
        except ValueError as exc:
            month = months[col]
            raise ParseError(
                source=source, what=f"{label} {month:%b-%Y}: {exc}", line=line
            ) from exc
        if value is not None:
            yield months[col], value


# ------------------------------------------------------------------------- mfhhis01.txt


_HISTORY: Final = "TIC mfhhis01.txt"


@dataclass
class _Block:
    """One yearly block of the history: kept column -> month, and what has been seen.

    `old_months` are the series-break columns: the same month again, to the right of the new
    series, holding the previous series' estimate "shown for comparison only".
    """

    line: int
    months: dict[int, date]
    known: set[int]
    old_months: dict[int, date] = field(default_factory=dict)
    in_memo: bool = False
    has_grand_total: bool = False


def _month_columns(cells: list[str]) -> dict[int, int] | None:
    """For a month row (`\\tDec\\tNov…`), column -> month number; None for any other row."""
    if not cells or not _blank(cells[0]):
        return None
    columns: dict[int, int] = {}
    for col, cell in enumerate(cells[1:], start=1):
        key = cell.strip().casefold()
        if not key:
            continue
        if key not in _MONTHS:
            return None
        columns[col] = _MONTHS.index(key) + 1
    return columns or None


def _open_block(month_cols: dict[int, int], rows: list[tuple[int, list[str]]], i: int) -> _Block:
    """Date each column from the month row and the `Country` year row under it.

    Months run newest first; where a month repeats (series break) the leftmost column is
    the new series and the later one, "shown for comparison only", is the old series' estimate
    (kept apart, in `old_months`).
    """
    line = rows[i][0]
    year_line, year_cells = rows[i + 1] if i + 1 < len(rows) else (line, [])
    if not year_cells or normalise_label(year_cells[0]).casefold() != "country":
        raise ParseError(
            source=_HISTORY, what="month row not followed by a 'Country' row of years", line=line
        )
    dated: list[tuple[int, date]] = []
    for col, cell in enumerate(year_cells[1:], start=1):
        text = cell.strip()
        if col in month_cols:
            if not _YEAR.fullmatch(text):
                raise ParseError(
                    source=_HISTORY,
                    what=f"year row has {text!r} under a month in column {col + 1}",
                    line=year_line,
                )
            dated.append((col, date(int(text), month_cols[col], 1)))
        elif text:
            raise ParseError(
                source=_HISTORY,
                what=f"year {text!r} in column {col + 1} has no month above it",
                line=year_line,
            )
    if len(dated) != len(month_cols):
        raise ParseError(
            source=_HISTORY, what="year row shorter than the month row", line=year_line
        )
    months: dict[int, date] = {}
    old_months: dict[int, date] = {}
    previous: date | None = None
    for col, month in dated:
        if previous is not None and month > previous:
            raise ParseError(
                source=_HISTORY,
                what=f"months not newest-first ({month:%b-%Y} after {previous:%b-%Y})",
                line=line,
            )
        previous = month
        if month not in months.values():
            months[col] = month
        elif month in old_months.values():
            raise ParseError(
                source=_HISTORY, what=f"{month:%b-%Y} appears three times", line=line
            )
        else:
            old_months[col] = month
    return _Block(line=line, months=months, known=set(month_cols), old_months=old_months)


def _close_block(block: _Block | None) -> None:
    if block is not None and not block.has_grand_total:
        first = max(block.months.values())
        raise ParseError(
            source=_HISTORY,
            what=f"block for {first.year} has no Grand Total row (file truncated?)",
            line=block.line,
        )


def _stamp_date(text: str) -> date | None:
    found = _STAMP.fullmatch(text.strip())
    if found is None:
        return None
    month, day, year = (int(g) for g in found.groups())
    return date(year + 2000 if year < 100 else year, month, day)


def _revision(text: str, line: int) -> tuple[int, date] | None:
    found = _REVISED.fullmatch(text.strip())
    if found is None:
        return None
    year, month_name, day, revised_year = found.groups()
    if month_name.casefold() not in _MONTH_NAMES:
        raise ParseError(
            source=_HISTORY, what=f"unknown month {month_name!r} in {text!r}", line=line
        )
    revised = date(int(revised_year), _MONTH_NAMES.index(month_name.casefold()) + 1, int(day))
    return int(year), revised


@dataclass
class _Trailer:
    release_date: date | None = None
    revisions: dict[int, date] = field(default_factory=dict)

    def read(self, text: str, line: int) -> None:
        """Pick the release stamp (`3/18/26`) and `(2025 revised March 18, 2026)` lines."""
        try:
            stamp = _stamp_date(text)
        except ValueError as exc:
            raise ParseError(
                source=_HISTORY, what=f"bad release stamp {text!r}: {exc}", line=line
            ) from exc
        if stamp is not None:
            if self.release_date is None:
                self.release_date = stamp
            return
        revision = _revision(text, line)
        if revision is not None:
            year, revised = revision
            if year in self.revisions:
                raise ParseError(source=_HISTORY, what=f"year {year} revised twice", line=line)
            self.revisions[year] = revised


_NO_HISTORY_HEADER: Final = (
    "no header found: expected a month row (Dec, Nov, ...) followed by a 'Country' row of years"
)


def parse_mfh_history(body: bytes) -> MfhHistory:
    """Parse `mfhhis01.txt`: stacked yearly blocks, newest first, plus a dated trailer.

    Raises ParseError for HTML, non-ASCII, no block, a block without its Grand Total, an
    unreadable number, a duplicate (holder, month), or no release stamp (truncated file).
    """
    reader = _HistoryReader(_rows(_decode(body, _HISTORY), _HISTORY, quoted=True))
    reader.run()
    if reader.trailer.release_date is None:
        raise ParseError(
            source=_HISTORY,
            what="no release stamp (like '3/18/26') after the last block; the file looks truncated",
        )
    return MfhHistory(
        holdings=_holdings_frame(reader.observations, _HISTORY, reader.old_series),
        release_date=reader.trailer.release_date,
        revisions=pl.DataFrame(
            list(reader.trailer.revisions.items()), schema=REVISIONS_SCHEMA, orient="row"
        ),
    )


class _HistoryReader:
    """Walks the rows once: preamble, then blocks (each opened by its header), then trailer."""

    def __init__(self, rows: list[tuple[int, list[str]]]) -> None:
        self.rows = rows
        self.trailer = _Trailer()
        self.observations: list[_Obs] = []
        self.old_series: list[_Obs] = []
        self.block: _Block | None = None
        self.seen_block = False

    def run(self) -> None:
        i = 0
        while i < len(self.rows):
            line, cells = self.rows[i]
            month_cols = _month_columns(cells)
            if month_cols is not None:
                _close_block(self.block)
                self.block, self.seen_block = _open_block(month_cols, self.rows, i), True
                i += 2
                continue
            self._row(cells, line)
            i += 1
        _close_block(self.block)
        if not self.seen_block:
            raise ParseError(source=_HISTORY, what=_NO_HISTORY_HEADER)

    def _row(self, cells: list[str], line: int) -> None:
        label = cells[0] if cells else ""
        has_values = any(not _blank(c) for c in cells[1:])
        if _blank(label):
            self._unlabelled(cells, line)
        elif not has_values:
            self._text(label, cells, line)
        elif self.block is None:
            what = f"data row {normalise_label(label)!r} outside any block"
            if not self.seen_block:
                what = f"{_NO_HISTORY_HEADER} above data row {normalise_label(label)!r}"
            raise ParseError(source=_HISTORY, what=what, line=line)
        else:
            self.observations.extend(_block_row(self.block, cells, line))
            self.old_series.extend(_block_old_series(self.block, cells, line))

    def _unlabelled(self, cells: list[str], line: int) -> None:
        """Padding, dashed rules and `Series 17/` rows are skipped; bare numbers are not."""
        if any(_parse_or_none(c) is not None for c in cells[1:]):
            raise ParseError(source=_HISTORY, what="numbers in a row without a label", line=line)
        if not self.seen_block:
            _check_units(cells, line, _HISTORY)

    def _text(self, label: str, cells: list[str], line: int) -> None:
        """`Of which:` opens the memo section; any other text ends the block."""
        if self.block is not None and is_of_which(label):
            self.block.in_memo = True
            return
        _close_block(self.block)
        self.block = None
        if self.seen_block:
            self.trailer.read(label, line)
        else:
            _check_units(cells, line, _HISTORY)


def _parse_or_none(cell: str) -> float | None:
    try:
        return _parse_value(cell)
    except ValueError:
        return None


def _block_row(block: _Block, cells: list[str], line: int) -> list[_Obs]:
    holder = _classify(cells[0], in_memo=block.in_memo, line=line, source=_HISTORY)
    if holder.holder_code == "grand_total":
        block.has_grand_total = True
    values = _row_values(cells, block.months, block.known, line=line, source=_HISTORY)
    return [_Obs(holder, month, value, line) for month, value in values]


def _block_old_series(block: _Block, cells: list[str], line: int) -> list[_Obs]:
    """The row's comparison-only values of the previous series, at the block's break months."""
    if not block.old_months:
        return []
    holder = _classify(cells[0], in_memo=block.in_memo, line=line, source=_HISTORY)
    values = _row_values(cells, block.old_months, block.known, line=line, source=_HISTORY)
    return [_Obs(holder, month, value, line) for month, value in values]


# ------------------------------------------------------------------------- slt_table5.txt


_TABLE5: Final = "TIC slt_table5.txt"


def _table5_header(cells: list[str]) -> dict[int, date] | None:
    """For the `Country\\t2026-07\\t2026-06…` row, column -> month; None for any other row."""
    if not cells or normalise_label(cells[0]).casefold() != "country":
        return None
    months: dict[int, date] = {}
    for col, cell in enumerate(cells[1:], start=1):
        text = cell.strip()
        if not text:
            continue
        found = _YEAR_MONTH.fullmatch(text)
        if found is None or not 1 <= int(found.group(2)) <= 12:
            return None
        months[col] = date(int(found.group(1)), int(found.group(2)), 1)
    return months or None


def _table5_two_row_header(rows: list[tuple[int, list[str]]], k: int) -> dict[int, date] | None:
    """The layout of Treasury's other Major Foreign Holders tables (FORMATS §3.2, §3.3): a row
    of month names (`\tJul\tJun…`) over a `Country` row of years; column -> month, or None."""
    month_cols = _month_columns(rows[k][1])
    if month_cols is None or k + 1 >= len(rows):
        return None
    years = rows[k + 1][1]
    if not years or normalise_label(years[0]).casefold() != "country":
        return None
    months: dict[int, date] = {}
    for col, month in month_cols.items():
        text = years[col].strip() if col < len(years) else ""
        if not _YEAR.fullmatch(text):
            return None
        months[col] = date(int(text), month, 1)
    return months


_TABLE5_LAYOUTS: Final = (
    "expected one of the layouts FORMATS.md §3.1-3.3 describes: a row 'Country<TAB>YYYY-MM"
    "<TAB>...' (ISO months, newest first), or a row of month names (<TAB>Jul<TAB>Jun...) over "
    "a row 'Country<TAB>YYYY<TAB>...'"
)


def _find_table5_header(rows: list[tuple[int, list[str]]]) -> tuple[int, int, dict[int, date]]:
    """(index of the header's first row, rows it spans, column -> month)."""
    for k, (_, cells) in enumerate(rows):
        iso = _table5_header(cells)
        if iso:
            return k, 1, iso
        two_row = _table5_two_row_header(rows, k)
        if two_row:
            return k, 2, two_row
    raise ParseError(source=_TABLE5, what=with_header(
        f"no header found: {_TABLE5_LAYOUTS}", rows[:15]))


def parse_slt_table5(body: bytes) -> Table5:
    """Parse `slt_table5.txt`: a preamble, a `Country` header of months, holder rows.

    FORMATS.md marks this layout unverified (no real copy yet), so each variant it describes
    is read: the single ISO-month header row, or the month-name row over a `Country` row of
    years used by Treasury's other holders tables; labels bare or quoted; the foreign-official
    lines as `Of Which: Foreign Official…` or below an `Of which:` line in the short form.
    Raises ParseError for HTML, non-ASCII, no header (showing the rows found), units other
    than billions of dollars, a repeated month column, an unreadable number, a duplicate
    holder, or no Grand Total row (truncated file).
    """
    rows = _rows(_decode(body, _TABLE5), _TABLE5, quoted=False)
    header_at, header_rows, months = _find_table5_header(rows)
    header_line = rows[header_at][0]
    if len(set(months.values())) != len(months):
        raise ParseError(
            source=_TABLE5, what="a month appears twice in the header", line=header_line
        )
    title, units = _table5_preamble(rows[:header_at])
    observations: list[_Obs] = []
    in_memo = False
    for line, cells in rows[header_at + header_rows :]:
        label = cells[0] if cells else ""
        has_values = any(not _blank(c) for c in cells[1:])
        if _blank(label) or not has_values:
            in_memo = in_memo or is_of_which(label)
            continue  # blank padding, notes below the table
        holder = _classify(label, in_memo=in_memo, line=line, source=_TABLE5)
        for month, value in _row_values(cells, months, set(months), line=line, source=_TABLE5):
            observations.append(_Obs(holder, month, value, line))
    _check_table5_complete(observations, months)
    return Table5(holdings=_holdings_frame(observations, _TABLE5), title=title, units=units)


_TABLE5_REQUIRED: Final = (
    "grand_total",
    "foreign_official",
    "foreign_official_bills",
    "foreign_official_bonds_notes",
)


def _check_table5_complete(observations: list[_Obs], months: dict[int, date]) -> None:
    """Table 5 has no trailer, so a cut shows as a missing closing line or a short last row."""
    codes = {o.holder.holder_code for o in observations}
    missing = [code for code in _TABLE5_REQUIRED if code not in codes]
    if missing:
        raise ParseError(source=_TABLE5, what=f"no {', '.join(missing)} row (file truncated?)")
    last_line = observations[-1].line
    found = sum(1 for o in observations if o.line == last_line)
    if found != len(months):
        raise ParseError(
            source=_TABLE5,
            what=f"last row has {found} values for {len(months)} months (file truncated?)",
            line=last_line,
        )


def _table5_preamble(rows: list[tuple[int, list[str]]]) -> tuple[str | None, str | None]:
    """The title (first non-blank line) and the units line, checked to be billions."""
    title: str | None = None
    units: str | None = None
    for line, cells in rows:
        text = " ".join(c.strip() for c in cells if c.strip())
        if not text:
            continue
        title = title or text
        stated = _check_units([text], line, _TABLE5)
        units = units or stated
    return title, units
