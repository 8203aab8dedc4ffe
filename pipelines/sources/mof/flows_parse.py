"""MOF International Transactions in Securities (対外及び対内証券売買契約等の状況), FORMATS §4.

Three cumulative CSVs, rewritten in full at each release, Shift_JIS, unit 億円 (100 million
yen), multi-row headers whose cells may hold newlines inside quotes:

* `week.csv`: one row per Sunday–Saturday week; column 0 the period, then 11 outward columns
  (residents' trades in foreign securities) and 11 inward columns (non-residents' trades in
  Japanese securities). Outward long-term debt net (column 6) is the key series.
* `montha1.csv`: the same 22 columns per month plus two MOF-computed differences.
* `monthb3.csv`: residents' trades in foreign long-term debt by investor type, one
  (acquisition, disposition, net) triplet per type, each found by its label.

No committed copy of these files exists; the layout follows FORMATS §4 and its verbatim
weekly row. Every assumption is checked against the file (unit cell, header labels above the
columns read, row widths, period arithmetic) so that a layout change fails with a ParseError
naming the line instead of loading numbers into the wrong columns.

Definitional break: from January 2014 some investment-trust transactions moved from
long-term debt to equity and investment fund shares, so the equity and long-term-debt series
are not continuous across 2014-01; the subtotal (equity + long-term debt) and totals are.
MOF states the sign convention (positive = net acquisition) for data from January 2014.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import polars as pl

from pipelines.lib.errors import ParseError
from pipelines.sources.excerpt import with_header
from pipelines.sources.mof import decode_cp932

UNIT = "億円"
DEFINITION_BREAK_MONTH = date(2014, 1, 1)
DEFINITION_BREAK_NOTE = (
    "From January 2014 some investment-trust transactions were reclassified from long-term "
    "debt securities to equity and investment fund shares, so equity and long-term-debt series "
    "are not continuous across 2014-01; the subtotal (equity + long-term debt) and total are."
)

# The eleven columns of one direction, in file order (FORMATS §4).
_BLOCK: tuple[str, ...] = (
    "equity_acquisition",
    "equity_disposition",
    "equity_net",
    "long_term_debt_acquisition",
    "long_term_debt_disposition",
    "long_term_debt_net",
    "equity_and_long_term_debt_net",
    "short_term_debt_acquisition",
    "short_term_debt_disposition",
    "short_term_debt_net",
    "total_net",
)
OUTWARD_PREFIX = "foreign_"  # residents' transactions in foreign securities (対外証券投資)
INWARD_PREFIX = "japanese_"  # non-residents' transactions in Japanese securities (対内証券投資)
FLOW_COLUMNS: tuple[str, ...] = tuple(
    f"{prefix}{name}_jpy_100m" for prefix in (OUTWARD_PREFIX, INWARD_PREFIX) for name in _BLOCK
)
# montha1.csv's two trailing MOF-computed columns, outward net minus inward net. Which nets
# they difference is not in FORMATS; a documented parser read on the real file says the
# subtotal (equity + long-term debt) and the total. Kept nullable and not recomputed.
DIFFERENCE_COLUMNS: tuple[str, ...] = (
    "outward_minus_inward_equity_and_long_term_debt_net_jpy_100m",
    "outward_minus_inward_total_net_jpy_100m",
)

# Header words that must stand above each column of a block (relative position -> words).
_METRIC_WORDS = {"acquisition": ("取得", "acquisition"), "disposition": ("処分", "disposition")}
_NET_WORDS = ("ネット", "差引", "net")
_ASSET_WORDS = {
    0: ("株式", "equity"),
    3: ("中長期債", "long-term"),
    6: ("小計", "subtotal"),
    7: ("短期債", "short-term"),
    10: ("合計", "total"),
}
# Columns each asset label spans (a merged cell): an export may put the label in the first
# cell of the span (FORMATS §4 fragments) or centre it; either is accepted, nothing outside.
_ASSET_SPANS = {0: 3, 3: 3, 6: 1, 7: 3, 10: 1}

INVESTOR_TYPES: dict[str, str] = {
    "各部門計": "all_investors",
    "銀行等（銀行勘定）": "banks",
    "信託銀行（銀行勘定）": "trust_banks",
    "銀行等及び信託銀行（信託勘定）": "trust_accounts",
    "生命保険会社": "life_insurers",
    "損害保険会社": "non_life_insurers",
    "投資信託委託会社等": "investment_trusts",
    # Further types MOF's by-investor tables carry (labels as in its other statistics).
    "金融商品取引業者": "securities_firms",
    "年金基金": "pension_funds",
    "公的機関": "public_institutions",
    "その他の金融機関": "other_financial_institutions",
    "事業法人・個人等": "corporates_and_individuals",
}
ALL_INVESTORS_LABEL = "各部門計"
_LABEL_SEARCH_ROWS = 15
_INVESTOR_MISSING = frozenset({"", "-", "―"})

_MONTH_ABBREVIATIONS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}
_ERA_OFFSETS = {"昭和": 1925, "平成": 1988, "令和": 2018}

_AMOUNT = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)$")
_PERIOD_DOTTED = re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})~(?:(\d{4})\.)?(\d{1,2})\.(\d{1,2})$")
_PERIOD_KANJI = re.compile(
    r"^(\d{4})年(\d{1,2})月(\d{1,2})日~(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日$"
)
# A first cell that starts with a full date is a period, or a malformed one: never a note.
_PERIOD_LIKE = re.compile(r"^\d{4}[./年]\d{1,2}[./月]\d{1,2}")
_JA_MONTH = re.compile(r"^(\d{1,2})月$")
# `単位：億円` after NFKC; the unit is digits plus non-ASCII (億円, 百万円, 100万円) so an
# English translation squashed onto the same cell does not become part of it.
_UNIT_CELL = re.compile(r"単位:(\d*[^\x00-\x7f()、]*)")

Row = tuple[int, list[str]]

_BLOCK_MEANINGS: dict[str, str] = {
    "equity_acquisition": "equity and investment fund shares, gross purchases (not signed)",
    "equity_disposition": "equity and investment fund shares, gross sales (not signed)",
    "equity_net": "equity and investment fund shares, net = acquisition - disposition",
    "long_term_debt_acquisition": "long-term debt securities (bonds), gross purchases",
    "long_term_debt_disposition": "long-term debt securities (bonds), gross sales",
    "long_term_debt_net": "long-term debt securities (bonds), net = acquisition - disposition",
    "equity_and_long_term_debt_net": "subtotal net, equity + long-term debt",
    "short_term_debt_acquisition": "short-term debt securities (bills), gross purchases",
    "short_term_debt_disposition": "short-term debt securities (bills), gross sales",
    "short_term_debt_net": "short-term debt securities (bills), net = acquisition - disposition",
    "total_net": "total net, equity + long-term + short-term debt",
}
_DIRECTIONS = {
    OUTWARD_PREFIX: "Outward (対外証券投資): Japanese residents' trades in foreign securities",
    INWARD_PREFIX: "Inward (対内証券投資): non-residents' trades in Japanese securities",
}


def _flow_comment(prefix: str, name: str) -> str:
    sign = (
        " Positive = net purchase (acquisition exceeds disposition), negative = net sale."
        if name.endswith("_net")
        else ""
    )
    break_note = f" {DEFINITION_BREAK_NOTE}" if name.startswith(("equity_", "long_")) else ""
    if name.startswith("equity_and") or name == "total_net":
        break_note = " Continuous across the January 2014 reclassification."
    return (
        f"{_DIRECTIONS[prefix]}; {_BLOCK_MEANINGS[name]}. 100 million yen (億円), designated "
        f"major investors basis, as published by MOF.{sign}{break_note}"
    )


COLUMN_COMMENTS: dict[str, str] = {
    "week_start": "First day (Sunday) of the MOF reporting week, as published.",
    "week_end": "Last day (Saturday) of the MOF reporting week, as published.",
    "month": "Reference month, dated on its first day.",
    **{
        f"{prefix}{name}_jpy_100m": _flow_comment(prefix, name)
        for prefix in (OUTWARD_PREFIX, INWARD_PREFIX)
        for name in _BLOCK
    },
    DIFFERENCE_COLUMNS[0]: (
        "MOF-computed difference: outward subtotal net minus inward subtotal net (equity + "
        "long-term debt), 100 million yen. Positive = Japanese residents bought more (net) "
        "abroad than non-residents bought in Japan. As published; may differ from the "
        "recomputed difference by rounding. Which nets MOF differences is inferred, see parser."
    ),
    DIFFERENCE_COLUMNS[1]: (
        "MOF-computed difference: outward total net minus inward total net, 100 million yen. "
        "Positive = net capital outflow through securities. As published; may differ from the "
        "recomputed difference by rounding. Which nets MOF differences is inferred, see parser."
    ),
    "investor_type": (
        "Stable English code of the MOF investor type (all_investors, banks, trust_banks, "
        "trust_accounts, life_insurers, non_life_insurers, investment_trusts); labels not yet "
        "mapped get 'unmapped_' plus a stable slug; investor_label_ja holds MOF's label."
    ),
    "investor_label_ja": "The investor-type label exactly as in MOF's header, e.g. 生命保険会社.",
    "acquisition_jpy_100m": (
        "Japanese residents' gross purchases of foreign long-term debt securities by this "
        "investor type, 100 million yen. " + DEFINITION_BREAK_NOTE
    ),
    "disposition_jpy_100m": (
        "Japanese residents' gross sales of foreign long-term debt securities by this investor "
        "type, 100 million yen. " + DEFINITION_BREAK_NOTE
    ),
    "net_jpy_100m": (
        "Net purchases (acquisition - disposition) of foreign long-term debt securities by this "
        "investor type, 100 million yen. Positive = net purchase (yen outflow), negative = net "
        "sale (repatriation); MOF states this convention from January 2014. "
        + DEFINITION_BREAK_NOTE
    ),
}


# ---------------------------------------------------------------------------------------------
# Public parsers


def parse_flows_weekly(body: bytes) -> pl.DataFrame:
    """Parse `week.csv` into one row per week: `week_start`, `week_end`, then FLOW_COLUMNS.

    Weeks whose 22 cells are all blank (not yet published) are skipped, never zero-filled.
    """
    rows = _rows(body)
    header = _header_rows(rows, lambda row: _is_period_like(_cell(row, 0)))
    _check_unit(header)
    _check_block_headers(header, offsets=(1, 12))
    records: list[dict[str, object]] = []
    seen: dict[date, int] = {}
    for line, row in rows:
        period = _parse_period(_cell(row, 0), line)
        if period is None:
            if seen:  # below the header: a row of amounts must be a week, never dropped
                _refuse_unknown_row(row, line)
            continue
        _check_first_seen(seen, period[0], line, "week starting")
        if _unpublished(row[1:]):
            continue
        _check_width(row, 1 + len(FLOW_COLUMNS), line)
        values = _amounts(row[1 : 1 + len(FLOW_COLUMNS)], FLOW_COLUMNS, line)
        records.append({"week_start": period[0], "week_end": period[1], **values})
    schema = {"week_start": pl.Date, "week_end": pl.Date, **dict.fromkeys(FLOW_COLUMNS, pl.Int64)}
    return _frame(records, schema, "week", "week_start")


def parse_flows_monthly(body: bytes) -> pl.DataFrame:
    """Parse `montha1.csv`: `month`, FLOW_COLUMNS, DIFFERENCE_COLUMNS, one row per month.

    Future months (all values blank) and the calendar/fiscal-year total rows are skipped.
    """
    rows = _rows(body)
    header = _header_rows(rows, _is_month_row)
    _check_unit(header)
    _check_block_headers(header, offsets=(3, 14))
    columns = FLOW_COLUMNS + DIFFERENCE_COLUMNS
    records: list[dict[str, object]] = []
    for line, row, month in _month_rows(rows):
        if _unpublished(row[3:]):
            continue
        _check_width(row, 3 + len(columns), line)
        values = _amounts(row[3 : 3 + len(FLOW_COLUMNS)], FLOW_COLUMNS, line)
        start = 3 + len(FLOW_COLUMNS)
        for name, cell in zip(DIFFERENCE_COLUMNS, row[start : start + 2], strict=True):
            values[name] = _amount(cell, name, line)
        records.append({"month": month, **values})
    schema = {"month": pl.Date, **dict.fromkeys(columns, pl.Int64)}
    return _frame(records, schema, "month", "month")


def parse_flows_by_investor(body: bytes) -> pl.DataFrame:
    """Parse `monthb3.csv` into long rows, one per month and investor type.

    Columns: `month`, `investor_type`, `investor_label_ja`, `acquisition_jpy_100m`,
    `disposition_jpy_100m`, `net_jpy_100m`. `-`, `―` and empty cells are missing; a type with
    all three missing has no row that month; months with every cell missing are skipped.
    """
    rows = _rows(body)
    header = _header_rows(rows, _is_month_row)
    _check_unit(header)
    triplets = _investor_triplets(header)
    width = max(column for column, _, _ in triplets) + 3
    records: list[dict[str, object]] = []
    for line, row, month in _month_rows(rows):
        if _unpublished(row[3:], _INVESTOR_MISSING):
            continue
        _check_width(row, width, line)
        for column, code, label in triplets:
            cells = row[column : column + 3]
            if all(c.strip() in _INVESTOR_MISSING for c in cells):
                continue
            acq, disp, net = (
                _amount(cell, f"{code} {part}", line, missing=_INVESTOR_MISSING)
                for cell, part in zip(cells, ("acquisition", "disposition", "net"), strict=True)
            )
            records.append(
                {
                    "month": month,
                    "investor_type": code,
                    "investor_label_ja": label,
                    "acquisition_jpy_100m": acq,
                    "disposition_jpy_100m": disp,
                    "net_jpy_100m": net,
                }
            )
    schema = {
        "month": pl.Date,
        "investor_type": pl.String,
        "investor_label_ja": pl.String,
        "acquisition_jpy_100m": pl.Int64,
        "disposition_jpy_100m": pl.Int64,
        "net_jpy_100m": pl.Int64,
    }
    return _frame(records, schema, "month", "month", "investor_type")


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


# ---------------------------------------------------------------------------------------------
# Investor triplets (monthb3)


def _investor_triplets(header: list[Row]) -> list[tuple[int, str, str]]:
    """(first column, code, label) of each investor triplet, found by label in the header.

    The label row is the one holding 各部門計 within the first rows; every label cell in it
    from column 3 on starts a triplet, and the acquisition/disposition/net row below must
    confirm all three columns of each.
    """
    label_index = next(
        (
            index
            for index, (_, row) in enumerate(header[:_LABEL_SEARCH_ROWS])
            if any(_label_key(c) == _label_key(ALL_INVESTORS_LABEL) for c in row)
        ),
        None,
    )
    if label_index is None:
        raise ParseError(with_header(
            f"investor label {ALL_INVESTORS_LABEL!r} (all investors) not found in the first "
            f"{_LABEL_SEARCH_ROWS} header rows", header))
    line, row = header[label_index]
    labels = [
        (column, " ".join(cell.split()))
        for column, cell in enumerate(row)
        if column >= 3 and cell.strip() and "単位" not in _squash(cell)
    ]
    triplets: list[tuple[int, str, str]] = []
    codes: dict[str, int] = {}
    for (column, label), following in zip(labels, labels[1:] + [(None, "")], strict=True):
        if following[0] is not None and following[0] - column < 3:
            raise ParseError(
                f"investor {label!r} at column {column + 1} has {following[0] - column} "
                f"column(s) before {following[1]!r}; a triplet needs 3",
                line=line,
            )
        code = _investor_code(label)
        if code in codes:
            raise ParseError(
                f"investor {label!r} appears twice (columns {codes[code] + 1}, {column + 1})",
                line=line,
            )
        codes[code] = column
        triplets.append((column, code, label))
    try:
        _check_triplet_metrics(header[label_index + 1 :], triplets, line)
    except ParseError as exc:
        raise ParseError(with_header(exc.what, header), line=exc.line) from None
    return triplets


def _check_triplet_metrics(
    below: list[Row], triplets: list[tuple[int, str, str]], label_line: int
) -> None:
    first = triplets[0][0]
    metric_row = next(
        (
            (ln, r)
            for ln, r in below
            if _label_matches(_cell(r, first), _METRIC_WORDS["acquisition"])
        ),
        None,
    )
    if metric_row is None:
        raise ParseError(
            "acquisition/disposition/net row (取得/処分/ネット) not found below the investor "
            "labels",
            line=label_line,
        )
    line, row = metric_row
    words = (_METRIC_WORDS["acquisition"], _METRIC_WORDS["disposition"], _NET_WORDS)
    for column, _, label in triplets:
        for offset, expected in enumerate(words):
            if not _label_matches(_cell(row, column + offset), expected):
                raise ParseError(
                    f"investor {label!r}: column {column + offset + 1} reads "
                    f"{_cell(row, column + offset).strip()!r}, expected {expected[0]!r}; the "
                    "triplet is malformed",
                    line=line,
                )


def _label_key(label: str) -> str:
    """Compare labels on their Japanese part: NFKC, no spaces, any trailing English dropped."""
    squashed = _squash(label)
    match = re.match(r"^(.*[^\x00-\x7f])", squashed)
    return match.group(1) if match else squashed


_INVESTOR_KEYS = {_label_key(label): code for label, code in INVESTOR_TYPES.items()}


def _investor_code(label: str) -> str:
    """The stable code for a label; unknown labels get `unmapped_<slug>`, stable per label."""
    known = _INVESTOR_KEYS.get(_label_key(label))
    if known is not None:
        return known
    ascii_words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKC", label).lower())
    slug = "_".join(ascii_words) or hashlib.sha1(_label_key(label).encode()).hexdigest()[:8]
    return f"unmapped_{slug}"
