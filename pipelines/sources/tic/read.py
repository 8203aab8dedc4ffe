"""What both TIC Major Foreign Holders readers share: decoding, rows, values, units, labels,
and the frames they return. Everything is found by content, never by line number."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Final, NamedTuple

import polars as pl

from pipelines.lib.errors import ParseError
from pipelines.sources.tic.labels import Holder, classify, normalise_label

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
