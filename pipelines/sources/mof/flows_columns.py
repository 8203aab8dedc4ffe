"""MOF securities-flow files: their unit, column names and comments, investor types and
the words their headers use (FORMATS §4). The vocabulary the readers check files against."""

from __future__ import annotations

import re
from datetime import date

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
