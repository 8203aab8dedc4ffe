"""`slt_table5.txt`, TIC Table 5 (the latest ~13 months): its header found by content."""

from __future__ import annotations

from datetime import date
from typing import Final

from pipelines.lib.errors import ParseError
from pipelines.sources.excerpt import with_header
from pipelines.sources.tic.history import (
    _month_columns,
)
from pipelines.sources.tic.labels import is_of_which, normalise_label
from pipelines.sources.tic.read import (
    _YEAR,
    _YEAR_MONTH,
    Table5,
    _blank,
    _check_units,
    _classify,
    _decode,
    _holdings_frame,
    _Obs,
    _row_values,
    _rows,
)

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
