"""`mfhhis01.txt`, the Major Foreign Holders history: month blocks, series breaks and the
revision trailer, read by content."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final

import polars as pl

from pipelines.lib.errors import ParseError
from pipelines.sources.tic.labels import is_of_which, normalise_label
from pipelines.sources.tic.read import (
    _MONTH_NAMES,
    _MONTHS,
    _REVISED,
    _STAMP,
    _YEAR,
    REVISIONS_SCHEMA,
    MfhHistory,
    _blank,
    _check_units,
    _classify,
    _decode,
    _holdings_frame,
    _Obs,
    _parse_value,
    _row_values,
    _rows,
)

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
