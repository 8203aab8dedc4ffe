"""TIC parsers on the real history file, the hand-built Table 5 fixture, and broken bodies.

Expected values are literals read by eye from the files (line numbers in comments), never
computed with the parser, so a parser bug cannot agree with itself.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from pipelines.lib.errors import ParseError
from pipelines.sources.tic.parse import (
    HOLDINGS_SCHEMA,
    LESS_THAN_50M_USD_BN,
    MfhHistory,
    parse_mfh_history,
    parse_slt_table5,
)
from pipelines.sources.tic.urls import (
    DEFAULT_TIC_URL,
    assert_not_legacy,
    mfh_history_url,
    slt_table5_url,
    tic_base_url,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tic" / "slt_table5.txt"


def value(holdings: pl.DataFrame, code: str, month: date) -> float:
    """The one value for a holder and month (fails if there are zero or several)."""
    rows = holdings.filter((pl.col("holder_code") == code) & (pl.col("month") == month))
    assert rows.height == 1, f"{code} {month}: {rows.height} rows"
    return rows.item(0, "holdings_usd_bn")


# ---------------------------------------------------------------- real history: mfhhis01.txt


@pytest.fixture(scope="module")
def history_body(reference_dir: Path) -> bytes:
    return (reference_dir / "tic" / "mfhhis01.txt").read_bytes()


@pytest.fixture(scope="module")
def history(history_body: bytes) -> MfhHistory:
    return parse_mfh_history(history_body)


def test_history_schema(history: MfhHistory) -> None:
    assert dict(history.holdings.schema) == HOLDINGS_SCHEMA
    # every column is filled but old_series_usd_bn, which only series-break months carry
    assert history.holdings.drop("old_series_usd_bn").null_count().row(0) == (0, 0, 0, 0, 0)


def _comparison_columns_by_hand(body: bytes) -> dict[tuple[str, date], float]:
    """(row label, month) -> the value under a month's second header column, read with csv.

    Independent of the parser: a block's month row names a month twice at a series break, and
    the file says the right-hand one is the old series "shown for comparison only".
    """
    import csv
    import io

    months = "jan feb mar apr may jun jul aug sep oct nov dec".split()
    rows = list(csv.reader(io.StringIO(body.decode("ascii")), delimiter="\t"))
    out: dict[tuple[str, date], float] = {}
    second: dict[int, date] = {}
    for i, cells in enumerate(rows):
        names = [c.strip().lower() for c in cells[1:]]
        if cells and not cells[0].strip() and names and names[0] in months:
            years = rows[i + 1]
            seen: set[date] = set()
            second = {}
            for col, name in enumerate(names, start=1):
                if name in months:
                    month = date(int(years[col]), months.index(name) + 1, 1)
                    if month in seen:
                        second[col] = month
                    seen.add(month)
            continue
        label = cells[0].strip() if cells else ""
        for col, month in second.items():
            if label and col < len(cells) and cells[col].strip():
                try:
                    out[(label, month)] = float(cells[col])
                except ValueError:
                    pass
    return out


def test_history_keeps_the_old_series_at_each_break(history_body: bytes,
                                                    history: MfhHistory) -> None:
    """The "for comparison only" estimates are kept beside the new series, marked as such."""
    by_hand = _comparison_columns_by_hand(history_body)
    japan = {m: v for (label, m), v in by_hand.items() if label == "Japan"}
    assert sorted(japan) == [date(2000, 3, 1)] + [date(y, 6, 1) for y in range(2002, 2012)]
    frame = history.holdings.filter(pl.col("holder_code") == "japan")
    parsed = {r["month"]: r["old_series_usd_bn"] for r in frame.iter_rows(named=True)
              if r["old_series_usd_bn"] is not None}
    assert parsed == japan
    assert parsed[date(2008, 6, 1)] == 580.4  # beside the new series' 628.0
    grand = history.holdings.filter(pl.col("holder_code") == "grand_total")
    assert grand.filter(pl.col("old_series_usd_bn").is_not_null()).height == 11
    # values stay the new series: the old one is never a row of its own
    assert value(history.holdings, "japan", date(2008, 6, 1)) == 628.0


def test_history_release_date(history: MfhHistory) -> None:
    assert history.release_date == date(2026, 3, 18)  # trailer stamp `3/18/26`


def test_history_revision_stamps(history: MfhHistory) -> None:
    assert dict(history.revisions.schema) == {"data_year": pl.Int32, "revised_on": pl.Date}
    stamps = dict(history.revisions.iter_rows())
    assert stamps[2025] == date(2026, 3, 18)
    assert stamps[2024] == date(2026, 1, 15)
    assert stamps[2023] == date(2026, 1, 15)
    assert stamps[2022] == date(2025, 3, 19)
    assert stamps[2021] == date(2023, 11, 16)
    assert stamps[2020] == date(2023, 11, 16)
    assert stamps[2006] == date(2018, 8, 15)  # the last revision line
    assert len(stamps) == 17  # 2025..2013 and 2011, 2010, 2007, 2006 are listed; 2012, 2008-9 not


def test_history_month_range(history: MfhHistory) -> None:
    months = history.holdings["month"]
    assert months.min() == date(2000, 3, 1)
    assert months.max() == date(2025, 12, 1)
    assert months.n_unique() == 10 + 25 * 12  # Mar..Dec 2000, then 2001..2025
    assert all(m.day == 1 for m in months.unique())
    totals = history.holdings.filter(pl.col("holder_code") == "grand_total")
    assert totals.height == 310


@pytest.mark.parametrize(
    ("code", "month", "expected"),
    [
        # 2025 block (lines 6-52)
        ("japan", date(2025, 12, 1), 1185.5),
        ("japan", date(2025, 11, 1), 1202.7),
        ("japan", date(2025, 10, 1), 1200.0),  # printed `1200`
        ("japan", date(2025, 1, 1), 1079.3),
        ("united_kingdom", date(2025, 12, 1), 866.0),
        ("china_mainland", date(2025, 12, 1), 683.5),  # quoted "China, Mainland"
        ("korea_south", date(2025, 12, 1), 140.6),
        ("grand_total", date(2025, 12, 1), 9271.0),
        ("all_other", date(2025, 12, 1), 710.8),
        ("foreign_official", date(2025, 12, 1), 3887.0),  # `For. Official`, no indent
        ("foreign_official_bills", date(2025, 12, 1), 388.5),
        ("foreign_official_bonds_notes", date(2025, 12, 1), 3498.5),
        # mid-history: 2018 block lists China before Japan (lines 352-353)
        ("china_mainland", date(2018, 12, 1), 1124.3),
        ("japan", date(2018, 12, 1), 1039.7),
        ("japan", date(2018, 1, 1), 1066.0),
        ("japan", date(2013, 6, 1), 1083.3),
        ("foreign_official", date(2022, 12, 1), 3667.4),  # `  For. Official`, indented
        # 2011 series break (line 750): Jun new series XII 881.5 kept, old XI 911.1 dropped
        ("japan", date(2011, 6, 1), 881.5),
        ("japan", date(2011, 5, 1), 912.4),
        ("japan", date(2011, 1, 1), 886.0),
        ("united_kingdom", date(2011, 6, 1), 135.7),  # `United Kingdom 2/`; old series 347
        ("oil_exporters", date(2011, 12, 1), 260.8),
        ("carib_banking_centers", date(2011, 6, 1), 196.3),
        # 2008 series break (lines 893-932): new IX kept, old VIII dropped
        ("united_kingdom", date(2008, 6, 1), 55.3),  # not 279.3
        ("grand_total", date(2008, 6, 1), 2587.4),  # not 2633.8
        ("foreign_official", date(2008, 6, 1), 1910.9),  # not 1751.7
        ("france", date(2008, 5, 1), 0.0),  # printed `0`
        # 2005 series break (line 1023)
        ("japan", date(2005, 6, 1), 667.1),  # not 681.2
        # 2002 block: `Belgium  5/`, `"Korea, South "`, `Spain `, Luxembourg n.a. before Jun
        ("belgium", date(2002, 5, 1), 21.7),
        ("belgium", date(2002, 6, 1), 11.3),  # new series; old-series June 22.9 dropped
        ("korea_south", date(2002, 12, 1), 38.0),
        ("spain", date(2002, 12, 1), 19.1),
        ("luxembourg", date(2002, 6, 1), 23.1),
        ("japan", date(2002, 1, 1), 310.6),
        # 2000 block (lines 1215-1243): 11 columns, March twice, Series II kept over I
        ("japan", date(2000, 3, 1), 307.6),  # not 325.8
        ("united_kingdom", date(2000, 3, 1), 78.6),  # not 235.7
        ("grand_total", date(2000, 3, 1), 1085.0),  # not 1252.1
        ("foreign_official", date(2000, 3, 1), 635.6),  # not 600.8
        ("belgium_luxembourg", date(2000, 12, 1), 29.6),  # `Belgium-Luxembourg ` trailing space
        ("japan", date(2000, 12, 1), 317.7),
    ],
)
def test_history_values(history: MfhHistory, code: str, month: date, expected: float) -> None:
    assert value(history.holdings, code, month) == expected


def test_history_luxembourg_not_available_before_june_2002(history: MfhHistory) -> None:
    """`n.a.` cells (Belgium then included Luxembourg) are absent, not zero."""
    lux = history.holdings.filter(
        (pl.col("holder_code") == "luxembourg") & (pl.col("month").dt.year() == 2002)
    )
    assert lux["month"].min() == date(2002, 6, 1)
    assert lux.height == 7


def test_history_labels_are_clean(history: MfhHistory) -> None:
    labels = set(history.holdings["country"].unique())
    assert {"United Kingdom", "Belgium", "Korea, South", "China, Mainland"} <= labels
    assert {"Foreign Official", "Foreign Official Treasury Bills"} <= labels
    assert {"Foreign Official T-Bonds & Notes", "Oil Exporters", "Carib Bnkng Ctrs"} <= labels
    for label in labels:
        assert label == label.strip() and "  " not in label and not label.endswith("/"), label
    # one code per label and one label per code
    pairs = history.holdings.select("holder_code", "country").unique()
    assert pairs["holder_code"].n_unique() == pairs["country"].n_unique() == pairs.height


def test_history_regional_groups_only_2000_to_2011(history: MfhHistory) -> None:
    groups = history.holdings.filter(pl.col("holder_type") == "regional_group")
    assert set(groups["holder_code"].unique()) == {"oil_exporters", "carib_banking_centers"}
    assert groups["month"].min() == date(2000, 3, 1)
    assert groups["month"].max() == date(2011, 12, 1)
    assert groups.height == 2 * (10 + 11 * 12)


def test_history_dec_2008_identity(history: MfhHistory) -> None:
    """FORMATS §3.3: countries + All Other = 2,693.1; the two groups add 384.1; 3,077.2."""
    month = history.holdings.filter(pl.col("month") == date(2008, 12, 1))

    def total(mask: pl.Expr) -> Decimal:
        return sum((Decimal(str(v)) for v in month.filter(mask)["holdings_usd_bn"]), Decimal())

    countries = total(pl.col("holder_type") == "country")
    assert countries + total(pl.col("holder_code") == "all_other") == Decimal("2693.1")
    assert total(pl.col("holder_type") == "regional_group") == Decimal("384.1")
    assert total(pl.col("holder_code") == "grand_total") == Decimal("3077.2")


def test_history_identities_every_month(history: MfhHistory) -> None:
    """Parts add to totals in every month, within rounding of ~45 one-decimal figures.

    The largest gaps in this vintage are exactly 0.5 (Feb-2019, Jul-2021): rounding.
    """
    sums: dict[date, dict[str, Decimal]] = {}
    for code, kind, month, amount in history.holdings.select(
        "holder_code", "holder_type", "month", "holdings_usd_bn"
    ).iter_rows():
        bucket = sums.setdefault(month, {})
        key = code if kind in ("total", "memo") and code != "all_other" else "parts"
        bucket[key] = bucket.get(key, Decimal()) + Decimal(str(amount))
    assert len(sums) == 310
    bad = []
    for month, s in sorted(sums.items()):
        if abs(s["parts"] - s["grand_total"]) > Decimal("0.5"):
            bad.append((month, "parts", s["parts"], s["grand_total"]))
        memo = s["foreign_official_bills"] + s["foreign_official_bonds_notes"]
        if abs(memo - s["foreign_official"]) > Decimal("0.5"):
            bad.append((month, "memo", memo, s["foreign_official"]))
    assert bad == []


def test_history_memo_lines_every_month(history: MfhHistory) -> None:
    memo = history.holdings.filter(pl.col("holder_type") == "memo")
    assert memo.group_by("month").len()["len"].unique().to_list() == [3]


@pytest.mark.parametrize("marker", [b"Grand Total\t7194.7", b"Japan\t1039.7\t1036", b"3/18/26"])
def test_history_truncated_raises(history_body: bytes, marker: bytes) -> None:
    """Cut before a block's Grand Total, mid-row, or before the trailer's release stamp."""
    cut = history_body[: history_body.index(marker) + len(marker) // 2]
    with pytest.raises(ParseError, match="truncated"):
        parse_mfh_history(cut)


def test_history_html_raises() -> None:
    body = b"<!DOCTYPE html>\n<html><head><title>Page Not Found</title></head></html>"
    with pytest.raises(ParseError, match="HTML"):
        parse_mfh_history(body)


def test_history_non_ascii_raises(history_body: bytes) -> None:
    body = history_body.replace(b"Japan\t1185.5", "Jap\u00e1n\t1185.5".encode(), 1)
    with pytest.raises(ParseError, match="non-ASCII") as err:
        parse_mfh_history(body)
    assert err.value.line == 10


def test_history_unreadable_number_names_its_line(history_body: bytes) -> None:
    body = history_body.replace(b"Japan\t1185.5\t1202.7", b"Japan\t1185.5\t12O2.7", 1)
    with pytest.raises(ParseError, match=r"Japan Nov-2025: '12O2.7' is not a number") as err:
        parse_mfh_history(body)
    assert err.value.line == 10


# ------------------------------------------------------------ synthetic history blocks

MONTHS = "\tDec\tNov\tOct\tSep\tAug\tJul\tJun\tMay\tApr\tMar\tFeb\tJan\t"
TRAILER = (
    'Department of the Treasury/Federal Reserve Board\n3/18/26\n"(2025 revised March 18, 2026)"\n'
)


def block(year: int, rows: list[str], memo: tuple[str, str, str] | None = None) -> str:
    """One yearly block in the history's layout, with a two-month year."""
    years = "\t".join([str(year)] * 12)
    lines = [MONTHS, f"Country\t{years}\t", "\t------\t------" + "\t" * 11, *rows]
    if memo is not None:
        lines += ["", "Of which:", *memo]
    return "\n".join(lines) + "\n\n\n"


def test_history_joins_on_label_not_position() -> None:
    text = (
        block(2025, ["Japan\t12\t11", '"China, Mainland"\t8\t7', "Grand Total\t20\t18"])
        + block(2024, ['"China, Mainland"\t10\t9', "Japan\t6\t5", "Grand Total\t16\t14"])
        + TRAILER
    )
    holdings = parse_mfh_history(text.encode()).holdings
    assert value(holdings, "japan", date(2025, 12, 1)) == 12
    assert value(holdings, "japan", date(2024, 12, 1)) == 6
    assert value(holdings, "japan", date(2024, 11, 1)) == 5
    assert value(holdings, "china_mainland", date(2024, 12, 1)) == 10


def test_history_incomplete_year_and_less_than_50m() -> None:
    text = block(2026, ["\t".join(["Japan", "", "*"] + [""] * 9 + ["3"]), "Grand Total\t\t\t\t"])
    text = text.replace("Grand Total\t\t\t\t", "Grand Total" + "\t" * 11 + "\t4") + TRAILER
    holdings = parse_mfh_history(text.encode()).holdings
    japan = holdings.filter(pl.col("holder_code") == "japan").sort("month")
    assert japan["month"].to_list() == [date(2026, 1, 1), date(2026, 11, 1)]
    assert japan["holdings_usd_bn"].to_list() == [3.0, LESS_THAN_50M_USD_BN]


def test_history_memo_labels_only_after_of_which() -> None:
    memo = ("  For. Official\t5\t4", "    Treasury Bills\t1\t1", "    T-Bonds & Notes\t4\t3")
    text = block(2025, ["Japan\t12\t11", "Grand Total\t20\t18"], memo) + TRAILER
    holdings = parse_mfh_history(text.encode()).holdings
    assert value(holdings, "foreign_official_bills", date(2025, 11, 1)) == 1
    assert set(holdings.filter(pl.col("holder_type") == "memo")["country"]) == {
        "Foreign Official",
        "Foreign Official Treasury Bills",
        "Foreign Official T-Bonds & Notes",
    }
    stray = block(2025, ["Japan\t12\t11", "Treasury Bills\t1\t1", "Grand Total\t20\t18"])
    with pytest.raises(ParseError, match="does not follow 'Of which:'") as err:
        parse_mfh_history((stray + TRAILER).encode())
    assert err.value.line == 5


def test_history_duplicate_holder_month_raises() -> None:
    rows = ["Japan\t12\t11", "Grand Total\t20\t18"]
    text = block(2025, rows) + block(2025, rows) + TRAILER
    with pytest.raises(ParseError, match="Japan Dec-2025 appears twice"):
        parse_mfh_history(text.encode())


def test_history_no_header_raises() -> None:
    with pytest.raises(ParseError, match="no header found"):
        parse_mfh_history(b"Country\tJapan\nJapan\t1\t2\n" + TRAILER.encode())


def test_history_units_other_than_billions_raise() -> None:
    text = "\t\t\t\t    (in millions of dollars)\t\t\n" + block(2025, ["Grand Total\t2\t1"])
    with pytest.raises(ParseError, match="expected 'Billions of dollars'"):
        parse_mfh_history((text + TRAILER).encode())


# ------------------------------------------------------------------ Table 5 fixture


@pytest.fixture(scope="module")
def table5_body() -> bytes:
    return FIXTURE.read_bytes()


def test_table5_fixture_is_crlf_and_unquoted(table5_body: bytes) -> None:
    assert table5_body.count(b"\r\n") == table5_body.count(b"\n") > 20
    assert b"\nChina, Mainland\t" in table5_body
    assert b"Billions of dollars\t\t\t\r\n" in table5_body  # preamble padded with tabs


def test_table5_values(table5_body: bytes) -> None:
    table = parse_slt_table5(table5_body)
    h = table.holdings
    assert dict(h.schema) == HOLDINGS_SCHEMA
    assert table.title == "Table 5: Major Foreign Holders of Treasury Securities"
    assert table.units == "Billions of dollars"
    assert value(h, "japan", date(2026, 7, 1)) == 1103.9
    assert value(h, "japan", date(2026, 6, 1)) == 1116.7
    assert value(h, "japan", date(2026, 5, 1)) == 1143.1
    assert value(h, "united_kingdom", date(2026, 7, 1)) == 998.3
    assert value(h, "china_mainland", date(2026, 7, 1)) == 688.1
    assert value(h, "all_other", date(2026, 7, 1)) == 1842.4
    assert value(h, "grand_total", date(2026, 5, 1)) == 9368.5
    assert value(h, "foreign_official", date(2026, 7, 1)) == 3773.1
    assert value(h, "foreign_official_bills", date(2026, 7, 1)) == 354.4
    assert value(h, "foreign_official_bonds_notes", date(2026, 7, 1)) == 3418.8
    assert h.filter(pl.col("holder_code") == "china_mainland")["country"].unique().to_list() == [
        "China, Mainland"
    ]
    assert h.height == 24 * 3


def test_table5_identities(table5_body: bytes) -> None:
    h = parse_slt_table5(table5_body).holdings
    for month in (date(2026, 7, 1), date(2026, 6, 1), date(2026, 5, 1)):
        m = h.filter(pl.col("month") == month)

        def total(mask: pl.Expr, m: pl.DataFrame = m) -> Decimal:
            return sum((Decimal(str(v)) for v in m.filter(mask)["holdings_usd_bn"]), Decimal())

        parts = total(pl.col("holder_type") == "country") + total(
            pl.col("holder_code") == "all_other"
        )
        assert abs(parts - total(pl.col("holder_code") == "grand_total")) <= Decimal("0.5")
        memo = total(pl.col("holder_code").is_in(["foreign_official_bills"])) + total(
            pl.col("holder_code") == "foreign_official_bonds_notes"
        )
        assert abs(memo - total(pl.col("holder_code") == "foreign_official")) <= Decimal("0.5")


def test_table5_revised_release_parses_to_new_value(table5_body: bytes) -> None:
    revised = table5_body.replace(b"Japan\t1103.9\t1116.7", b"Japan\t1103.9\t1118.2", 1)
    assert revised != table5_body
    before = parse_slt_table5(table5_body).holdings
    after = parse_slt_table5(revised).holdings
    assert value(before, "japan", date(2026, 6, 1)) == 1116.7
    assert value(after, "japan", date(2026, 6, 1)) == 1118.2
    assert value(after, "japan", date(2026, 7, 1)) == 1103.9


def test_table5_without_units_line_parses(table5_body: bytes) -> None:
    table = parse_slt_table5(table5_body.replace(b"Billions of dollars\t\t\t\r\n", b""))
    assert table.units is None


def test_table5_units_in_millions_raise(table5_body: bytes) -> None:
    body = table5_body.replace(b"Billions of dollars", b"Millions of dollars")
    with pytest.raises(ParseError, match="expected 'Billions of dollars'") as err:
        parse_slt_table5(body)
    assert err.value.line == 3


def test_table5_html_raises() -> None:
    with pytest.raises(ParseError, match="HTML"):
        parse_slt_table5(b"\r\n<html><body>Service Unavailable</body></html>")


def test_table5_no_header_raises(table5_body: bytes) -> None:
    with pytest.raises(ParseError, match="no header found"):
        parse_slt_table5(table5_body.replace(b"Country\t", b"Holder\t"))


def test_table5_non_ascii_raises(table5_body: bytes) -> None:
    with pytest.raises(ParseError, match="non-ASCII") as err:
        parse_slt_table5(table5_body.replace(b"Japan", "Jap\u00e1n".encode("latin-1")))
    assert err.value.line == 7


@pytest.mark.parametrize(
    "cut_at",
    [
        b"All Other",  # before the totals
        b"Of Which: Foreign Official\t",  # after Grand Total, before the memo lines
        b"\t3449.7",  # mid last row: two of three values left
    ],
)
def test_table5_truncated_raises(table5_body: bytes, cut_at: bytes) -> None:
    cut = table5_body[: table5_body.index(cut_at)]
    with pytest.raises(ParseError, match="truncated"):
        parse_slt_table5(cut)


def test_table5_unreadable_number_names_its_line(table5_body: bytes) -> None:
    with pytest.raises(ParseError, match="Japan Jun-2026") as err:
        parse_slt_table5(table5_body.replace(b"1116.7", b"1,116.7"))
    assert err.value.line == 7


def test_table5_duplicate_row_raises(table5_body: bytes) -> None:
    body = table5_body.replace(b"Germany\t", b"Japan\t")
    with pytest.raises(ParseError, match="Japan Jul-2026 appears twice"):
        parse_slt_table5(body)


def test_table5_of_which_labels_matched_exactly(table5_body: bytes) -> None:
    body = table5_body.replace(
        b"Of Which: Foreign Official Treasury Bills", b"Of Which: Foreign Official Treasury"
    )
    with pytest.raises(ParseError, match="must not be read as a country"):
        parse_slt_table5(body)


# --------------------------------------------------------------------------- urls


def test_urls_default_and_configured_host() -> None:
    assert tic_base_url({}) == DEFAULT_TIC_URL == "https://ticdata.treasury.gov"
    assert slt_table5_url(DEFAULT_TIC_URL) == (
        "https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/"
        "slt_table5.txt"
    )
    replica = tic_base_url({"TIC_URL": "http://127.0.0.1:8765/"})
    assert mfh_history_url(replica) == (
        "http://127.0.0.1:8765/resource-center/data-chart-center/tic/Documents/mfhhis01.txt"
    )
    with pytest.raises(ValueError, match="scheme\\+host"):
        tic_base_url({"TIC_URL": "ticdata.treasury.gov"})


@pytest.mark.parametrize(
    "url",
    [
        "https://ticdata.treasury.gov/Publish/mfh.txt",
        "https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/mfh.txt",
        "http://127.0.0.1:8765/Publish/slt1d_globl.csv",
        "https://ticdata.treasury.gov/Publish/s1_globl.csv",
        "https://ticdata.treasury.gov/Publish/SNETUS.CSV",
    ],
)
def test_legacy_files_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="frozen at Jan-2023"):
        assert_not_legacy(url)


def test_current_files_pass_the_legacy_guard() -> None:
    assert_not_legacy(slt_table5_url(DEFAULT_TIC_URL))
    assert_not_legacy(mfh_history_url(DEFAULT_TIC_URL))
