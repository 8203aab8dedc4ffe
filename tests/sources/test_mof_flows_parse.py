"""MOF securities-transaction parsers on fixtures built to FORMATS §4 (no real copy exists).

Expected values come from the fixture builder (tests/fixtures/mof/build_fixtures.py) and from
the verbatim weekly row in FORMATS §4, never from the parser.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

from pipelines.lib.errors import ParseError
from pipelines.sources.mof.flows_columns import (
    COLUMN_COMMENTS,
    DIFFERENCE_COLUMNS,
    FLOW_COLUMNS,
)
from pipelines.sources.mof.flows_parse import (
    parse_flows_by_investor,
    parse_flows_monthly,
    parse_flows_weekly,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mof"


def load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "mof_build_fixtures", FIXTURES / "build_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


builder = load_builder()


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def text(name: str) -> str:
    return fixture(name).decode("cp932")


def edited(name: str, old: str, new: str, count: int = 1) -> bytes:
    """The fixture with `old` (which must occur exactly `count` times) replaced by `new`."""
    source = text(name)
    assert source.count(old) == count, (old, source.count(old))
    return source.replace(old, new).encode("cp932")


def row_of(frame: pl.DataFrame, column: str, key: date) -> dict[str, object]:
    hit = frame.filter(pl.col(column) == key)
    assert hit.height == 1, key
    return hit.row(0, named=True)


# --- fixtures --------------------------------------------------------------------------------


def test_committed_fixtures_equal_what_the_builder_script_writes() -> None:
    for name, body in builder.build().items():
        assert fixture(name) == body, f"{name} is stale: run tests/fixtures/mof/build_fixtures.py"


@pytest.mark.parametrize("name", sorted(builder.build()))
def test_fixtures_are_cp932_with_crlf_rows_and_quoted_newlines_in_header(name: str) -> None:
    body = fixture(name)
    decoded = body.decode("cp932")
    assert not body.isascii()
    assert decoded.endswith("\r\n")
    assert "\n(" in decoded  # a header cell with a newline inside quotes


# --- weekly ----------------------------------------------------------------------------------

VERBATIM_VALUES = [
    30037, 28345, 1692, 117497, 106668, 10829, 12521, 18524, 17015, 1508, 14029,
    381075, 396303, -15228, 75958, 53597, 22362, 7133, 32871, 45000, -12128, -4995,
]  # fmt: skip


@pytest.fixture(scope="module")
def weekly() -> pl.DataFrame:
    return parse_flows_weekly(fixture("week.csv"))


def test_weekly_has_week_bounds_and_22_int64_columns_in_english(weekly: pl.DataFrame) -> None:
    assert weekly.columns == ["week_start", "week_end", *FLOW_COLUMNS]
    assert weekly.schema["week_start"] == weekly.schema["week_end"] == pl.Date
    assert all(weekly.schema[c] == pl.Int64 for c in FLOW_COLUMNS)
    assert FLOW_COLUMNS[5] == "foreign_long_term_debt_net_jpy_100m"  # FORMATS column 6


def test_weekly_verbatim_row_maps_every_cell_to_its_column(weekly: pl.DataFrame) -> None:
    row = row_of(weekly, "week_start", date(2026, 9, 6))
    assert row["week_end"] == date(2026, 9, 12)
    assert [row[c] for c in FLOW_COLUMNS] == VERBATIM_VALUES
    assert row["foreign_long_term_debt_net_jpy_100m"] == 10_829
    assert row["japanese_equity_net_jpy_100m"] == -15_228


def test_weekly_reads_all_period_forms_and_skips_the_unpublished_week(
    weekly: pl.DataFrame,
) -> None:
    assert weekly.select("week_start", "week_end").rows() == [
        (date(2006, 12, 31), date(2007, 1, 6)),  # 2006．12．31～ 2007．1．6
        (date(2007, 1, 7), date(2007, 1, 13)),  # 2007．1．7～1．13
        (date(2026, 9, 6), date(2026, 9, 12)),  # verbatim row
        (date(2026, 9, 13), date(2026, 9, 19)),  # 2026年9月13日～9月19日
        (date(2026, 12, 27), date(2027, 1, 2)),  # 2026年12月27日～2027年1月2日
    ]  # 2027年1月3日～1月9日 is all blank: not yet published, so absent rather than zero


def test_weekly_generated_rows_equal_the_builder_values(weekly: pl.DataFrame) -> None:
    starts = [date(2006, 12, 31), date(2007, 1, 7), date(2026, 9, 13), date(2026, 12, 27)]
    seeds = [0, 1, 10, 11]
    for start, seed in zip(starts, seeds, strict=True):
        row = row_of(weekly, "week_start", start)
        assert [row[c] for c in FLOW_COLUMNS] == builder.flows_row(seed)


def test_weekly_extra_header_row_changes_nothing(weekly: pl.DataFrame) -> None:
    assert parse_flows_weekly(fixture("week_extra_header_row.csv")).equals(weekly)


def test_weekly_changed_unit_is_rejected() -> None:
    with pytest.raises(ParseError, match="unit '百万円'.*reads 億円") as caught:
        parse_flows_weekly(fixture("week_unit_changed.csv"))
    assert caught.value.line == 2


@pytest.mark.parametrize(
    "unit_cell", ["単位:億円", "(単位：億円)", "単位：億円\n(100 million yen)"]
)
def test_weekly_accepts_unit_cell_spellings(unit_cell: str, weekly: pl.DataFrame) -> None:
    body = edited("week.csv", "（単位：億円）", f'"{unit_cell}"')
    assert parse_flows_weekly(body).equals(weekly)


def test_weekly_without_unit_cell_is_rejected() -> None:
    with pytest.raises(ParseError, match="unit cell '単位：億円' not found"):
        parse_flows_weekly(edited("week.csv", "（単位：億円）", ""))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("2026年12月27日～2027年1月2日", "2026年12月27日～1月2日"),
        ("2006．12．31～ 2007．1．6", "2006．12．31～1．6"),
        ("2007．1．7～1．13", "2007．1．7 ～ 1．13"),
        ("2007．1．7～1．13", "２００７．１．７〜１．１３"),  # full-width digits, wave dash
    ],
)
def test_weekly_end_year_is_inferred_and_spacing_tolerated(
    old: str, new: str, weekly: pl.DataFrame
) -> None:
    assert parse_flows_weekly(edited("week.csv", old, new)).equals(weekly)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("2007．1．7～1．13", "2007．1．8～1．14", "not a Sunday-to-Saturday week"),
        ("2007．1．7～1．13", "2007．1．7～1．14", "not a Sunday-to-Saturday week"),
        ("2007．1．7～1．13", "2007．1．7～2008．1．13", "not a Sunday-to-Saturday week"),
        ("2007．1．7～1．13", "2007．2．30～3．6", "invalid date in period"),
        ("2007．1．7～1．13", "2007/1/7-1/13", "malformed period '2007/1/7-1/13'"),
        ("2007．1．7～1．13", "2006．12．31～ 2007．1．6", "duplicate week starting 2006-12-31"),
    ],
)
def test_weekly_bad_period_is_rejected_with_its_line(old: str, new: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse_flows_weekly(edited("week.csv", old, new))
    assert caught.value.line is not None
    assert text("week.csv").splitlines()[caught.value.line - 1].startswith(old)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"-15,228 "', '"▲15,228 "', r"japanese_equity_net_jpy_100m: '▲15,228 ' is not a whole"),
        ('"-15,228 "', "-15228.5", r"'-15228.5' is not a whole number"),
        ('"-15,228 "', '"-15,22 "', r"'-15,22 ' is not a whole number"),
        ('"-15,228 "', "", r"1 of 22 value cells are blank \(first japanese_equity_net_jpy_100m\)"),
        (',"-4,995 "', "", r"data row has 22 cells, expected 23"),
        (',"-4,995 "', ',"-4,995 ",7', r"data row has 24 cells, expected 23"),
    ],
)
def test_weekly_bad_value_cells_are_rejected(old: str, new: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse_flows_weekly(edited("week.csv", old, new))
    assert text("week.csv").splitlines()[caught.value.line - 1] == builder.VERBATIM_WEEK_ROW


def test_weekly_column_inserted_before_the_blocks_is_rejected_by_the_header_check() -> None:
    shifted = "\r\n".join(
        line if not line or line[0] == "(" else line.replace(",", ",,", 1)
        for line in text("week.csv").split("\r\n")
    )
    with pytest.raises(ParseError, match="header"):
        parse_flows_weekly(shifted.encode("cp932"))


def test_weekly_swapped_acquisition_and_disposition_headers_are_rejected() -> None:
    swapped = '"処分\n(Disposition)","取得\n(Acquisition)"'
    original = '"取得\n(Acquisition)","処分\n(Disposition)"'
    body = text("week.csv").replace(original, swapped, 1).encode("cp932")
    with pytest.raises(ParseError, match="metric header: column 2 reads"):
        parse_flows_weekly(body)


def test_weekly_utf8_copy_is_rejected_as_not_shift_jis() -> None:
    with pytest.raises(ParseError, match="not Shift_JIS/cp932"):
        parse_flows_weekly(text("week.csv").encode("utf-8"))


def test_weekly_file_with_only_unpublished_rows_is_rejected() -> None:
    lines = text("week.csv").split("\r\n")
    kept = [ln for ln in lines if not ln[:4].isdigit() or ln.startswith("2027年")]
    with pytest.raises(ParseError, match="no published week"):
        parse_flows_weekly("\r\n".join(kept).encode("cp932"))


# --- monthly ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def monthly() -> pl.DataFrame:
    return parse_flows_monthly(fixture("montha1.csv"))


def test_monthly_columns_are_month_flows_and_mof_differences(monthly: pl.DataFrame) -> None:
    assert monthly.columns == ["month", *FLOW_COLUMNS, *DIFFERENCE_COLUMNS]
    assert monthly.schema["month"] == pl.Date


def test_monthly_covers_published_months_only_skipping_future_and_total_rows(
    monthly: pl.DataFrame,
) -> None:
    expected = [date(2025, m, 1) for m in range(1, 13)] + [date(2026, m, 1) for m in range(1, 9)]
    assert monthly["month"].to_list() == expected  # 2026-09..12 blank; CY/FY rows skipped


def test_monthly_values_and_differences_equal_the_builder_values(monthly: pl.DataFrame) -> None:
    for row in monthly.iter_rows(named=True):
        month: date = row["month"]
        values = builder.flows_row(month.year * 12 + month.month, scale=4)
        assert [row[c] for c in FLOW_COLUMNS] == values
        assert [row[c] for c in DIFFERENCE_COLUMNS] == [
            values[6] - values[17],
            values[10] - values[21],
        ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (",８月,Aug,", ",８月,Sep,", r"month labels disagree.*'８月' vs 'Sep'"),
        (",８月,Aug,", ",８月,,", r"month labels disagree.*'８月' vs ''"),
        ("2026,１月,Jan,", ",１月,Jan,", "a January row must state the year"),
        ("2026,１月,Jan,", "2025,１月,Jan,", "month 2025-01 does not follow 2025-12"),
        ("(令和8年),２月,Feb,", "(令和9年),２月,Feb,", "year cell says 2027, expected 2026"),
        ("(令和8年),２月,Feb,", "(平成8年),２月,Feb,", "year cell says 1996, expected 2026"),
        ("(令和8年),２月,Feb,", "n.a.,２月,Feb,", "cannot read one year from year cell"),
        (",３月,Mar,", ",４月,Apr,", "month 2025-04 does not follow 2025-02"),
    ],
)
def test_monthly_bad_year_or_month_labels_are_rejected(old: str, new: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_flows_monthly(edited("montha1.csv", old, new, count=text("montha1.csv").count(old)))


def test_monthly_first_data_row_must_establish_a_year() -> None:
    body = edited("montha1.csv", "2025,１月,Jan,", ",１月,Jan,")
    with pytest.raises(ParseError, match="a January row must state the year") as caught:
        parse_flows_monthly(body)
    assert body.decode("cp932").splitlines()[caught.value.line - 1].startswith(",１月,Jan,")


def test_monthly_changed_unit_is_rejected() -> None:
    with pytest.raises(ParseError, match="unit '兆円'"):
        parse_flows_monthly(edited("montha1.csv", "（単位：億円）", "（単位：兆円）"))


# --- by investor (monthb3) -------------------------------------------------------------------


@pytest.fixture(scope="module")
def by_investor() -> pl.DataFrame:
    return parse_flows_by_investor(fixture("monthb3.csv"))


KNOWN_CODES = {
    "各部門計": "all_investors",
    "銀行等（銀行勘定）": "banks",
    "信託銀行（銀行勘定）": "trust_banks",
    "銀行等及び信託銀行（信託勘定）": "trust_accounts",
    "生命保険会社": "life_insurers",
    "損害保険会社": "non_life_insurers",
    "投資信託委託会社等": "investment_trusts",
}


def test_by_investor_is_long_with_month_type_label_and_three_amounts(
    by_investor: pl.DataFrame,
) -> None:
    assert by_investor.schema == pl.Schema(
        {
            "month": pl.Date,
            "investor_type": pl.String,
            "investor_label_ja": pl.String,
            "acquisition_jpy_100m": pl.Int64,
            "disposition_jpy_100m": pl.Int64,
            "net_jpy_100m": pl.Int64,
        }
    )


def test_by_investor_known_labels_map_to_stable_english_codes(by_investor: pl.DataFrame) -> None:
    pairs = dict(by_investor.select("investor_label_ja", "investor_type").unique().iter_rows())
    assert {k: v for k, v in pairs.items() if k in KNOWN_CODES} == KNOWN_CODES


def test_by_investor_unknown_label_gets_unmapped_code_and_keeps_its_label(
    by_investor: pl.DataFrame,
) -> None:
    unknown = by_investor.filter(~pl.col("investor_type").is_in(list(KNOWN_CODES.values())))
    assert unknown["investor_type"].unique().to_list() == ["unmapped_investment_corporations"]
    assert unknown["investor_label_ja"].unique().to_list() == [
        "証券投資法人 (Investment corporations)"
    ]


def test_by_investor_published_months_only(by_investor: pl.DataFrame) -> None:
    months = by_investor["month"].unique().sort().to_list()
    assert months == [date(2025, 11, 1), date(2025, 12, 1)] + [
        date(2026, m, 1) for m in (1, 2, 3)
    ]  # Apr..Jun 2026 are blank placeholders; the CY total row is skipped


def test_by_investor_values_equal_the_builder_values(by_investor: pl.DataFrame) -> None:
    index_of = {" ".join(ja.split()): i for i, (ja, _) in enumerate(builder.INVESTORS)}
    for row in by_investor.iter_rows(named=True):
        month: date = row["month"]
        cells = builder.investor_cells(index_of[row["investor_label_ja"]], month.year, month.month)
        expected = [None if c.strip() in ("", "-") else int(c.replace(",", "")) for c in cells]
        amounts = ["acquisition_jpy_100m", "disposition_jpy_100m", "net_jpy_100m"]
        assert [row[c] for c in amounts] == expected


def test_by_investor_missing_markers(by_investor: pl.DataFrame) -> None:
    def pick(code: str, month: date) -> pl.DataFrame:
        return by_investor.filter((pl.col("investor_type") == code) & (pl.col("month") == month))

    assert pick("non_life_insurers", date(2025, 12, 1)).is_empty()  # ―,―,― : no row
    trusts = pick("investment_trusts", date(2026, 1, 1)).row(0, named=True)
    assert trusts["disposition_jpy_100m"] is None  # `-`
    assert trusts["acquisition_jpy_100m"] == 7_037
    firms = pick("unmapped_investment_corporations", date(2026, 2, 1)).row(0, named=True)
    assert firms["acquisition_jpy_100m"] is None  # empty cell
    assert by_investor.height == 5 * 8 - 1


def test_by_investor_moved_columns_give_the_same_table(by_investor: pl.DataFrame) -> None:
    moved = parse_flows_by_investor(fixture("monthb3_columns_moved.csv"))
    assert moved.equals(by_investor)


def test_by_investor_all_investors_series(by_investor: pl.DataFrame) -> None:
    total = by_investor.filter(pl.col("investor_type") == "all_investors")
    assert total["net_jpy_100m"].to_list() == [-76, -92, 84, 68, 52]


def test_by_investor_without_all_investors_label_is_rejected() -> None:
    body = edited("monthb3.csv", "各部門計", "合計")
    with pytest.raises(ParseError, match="'各部門計' .* not found"):
        parse_flows_by_investor(body)


def test_by_investor_label_two_columns_from_the_next_is_a_malformed_triplet() -> None:
    body = edited("monthb3.csv", "銀行等（銀行勘定）,,,信託銀行", "銀行等（銀行勘定）,,信託銀行")
    body = body.decode("cp932").replace("（信託勘定）,,,", "（信託勘定）,,,,", 1).encode("cp932")
    with pytest.raises(ParseError, match=r"has 2 column\(s\) before '信託銀行（銀行勘定）'"):
        parse_flows_by_investor(body)


def test_by_investor_triplet_with_wrong_metric_labels_is_rejected() -> None:
    metric_row = ",,," + ",".join(["取得,処分,ネット"] * 8)
    broken = ",,," + ",".join(["取得,処分,ネット"] * 7 + ["取得,ネット,処分"])
    with pytest.raises(ParseError, match="triplet is malformed"):
        parse_flows_by_investor(edited("monthb3.csv", metric_row, broken))


def test_by_investor_duplicate_label_is_rejected() -> None:
    body = edited("monthb3.csv", "損害保険会社,,,", "生命保険会社,,,")
    with pytest.raises(ParseError, match="'生命保険会社' appears twice"):
        parse_flows_by_investor(body)


def test_by_investor_unknown_value_token_is_rejected() -> None:
    body = edited("monthb3.csv", ',"7,037 ",-,684 ,', ',"7,037 ",n/a,684 ,')
    with pytest.raises(ParseError, match="investment_trusts disposition: 'n/a'"):
        parse_flows_by_investor(body)


def test_by_investor_changed_unit_is_rejected() -> None:
    with pytest.raises(ParseError, match="unit '百万円'"):
        parse_flows_by_investor(edited("monthb3.csv", "（単位：億円）", "（単位：百万円）"))


# --- column comments -------------------------------------------------------------------------


def test_column_comments_cover_every_output_column_of_the_three_tables(
    weekly: pl.DataFrame, monthly: pl.DataFrame, by_investor: pl.DataFrame
) -> None:
    columns = set(weekly.columns) | set(monthly.columns) | set(by_investor.columns)
    assert columns <= set(COLUMN_COMMENTS)
    for name in columns:
        assert COLUMN_COMMENTS[name].strip()
        if name.endswith("_jpy_100m"):
            assert "100 million yen" in COLUMN_COMMENTS[name]


def test_equity_and_long_term_debt_comments_record_the_january_2014_break() -> None:
    for name in (
        "foreign_long_term_debt_net_jpy_100m",
        "japanese_equity_acquisition_jpy_100m",
        "net_jpy_100m",
    ):
        assert "January 2014" in COLUMN_COMMENTS[name]
    assert "Continuous across" in COLUMN_COMMENTS["foreign_total_net_jpy_100m"]


# --- robustness details ----------------------------------------------------------------------


def test_unpublished_rows_without_trailing_commas_are_still_skipped(
    weekly: pl.DataFrame, monthly: pl.DataFrame
) -> None:
    week = edited("week.csv", "2027年1月3日～1月9日" + "," * 22, "2027年1月3日～1月9日")
    assert parse_flows_weekly(week).equals(weekly)
    month = edited("montha1.csv", ",９月,Sep" + "," * 24, ",９月,Sep", count=1)
    assert parse_flows_monthly(month).equals(monthly)


def test_monthly_row_with_only_difference_values_is_rejected() -> None:
    body = edited("montha1.csv", ",９月,Sep" + "," * 24, ",９月,Sep" + "," * 23 + "5,5")
    with pytest.raises(ParseError, match="22 of 22 value cells are blank"):
        parse_flows_monthly(body)


def test_flows_urls_are_the_publishers_paths_below_a_swappable_host() -> None:
    from pipelines.sources.mof import urls

    base = (
        "https://www.mof.go.jp/policy/international_policy/reference/itn_transactions_in_securities"
    )
    assert urls.url(urls.DEFAULT_BASE_URL, urls.FLOWS_WEEKLY) == f"{base}/week.csv"
    assert urls.url(urls.DEFAULT_BASE_URL, urls.FLOWS_MONTHLY) == f"{base}/montha1.csv"
    assert (
        urls.url("http://127.0.0.1:8765/", urls.FLOWS_BY_INVESTOR_LONG_TERM_DEBT)
        == "http://127.0.0.1:8765/policy/international_policy/reference/"
        "itn_transactions_in_securities/monthb3.csv"
    )


# --- layout variants FORMATS §4 describes, and refusals that show the header found -------------

ASSET_ROW = (",株式・投資ファンド持分,,,中長期債,,,小計,短期債,,,合計,"
             "株式・投資ファンド持分,,,中長期債,,,小計,短期債,,,合計")


def test_weekly_asset_labels_centred_in_their_merged_cells_read_the_same(
    weekly: pl.DataFrame,
) -> None:
    centred = (",,株式・投資ファンド持分,,,中長期債,,小計,,短期債,,合計,"
               ",株式・投資ファンド持分,,,中長期債,,小計,,短期債,,合計")
    assert parse_flows_weekly(edited("week.csv", ASSET_ROW, centred)).equals(weekly)


def test_weekly_english_only_header_rows_read_the_same(weekly: pl.DataFrame) -> None:
    english = (",Equity and investment fund shares,,,Long-term debt securities,,,Subtotal,"
               "Short-term debt securities,,,Total,Equity and investment fund shares,,,"
               "Long-term debt securities,,,Subtotal,Short-term debt securities,,,Total")
    assert parse_flows_weekly(edited("week.csv", ASSET_ROW, english)).equals(weekly)


def test_weekly_wave_dash_and_kanji_periods_read_the_same(weekly: pl.DataFrame) -> None:
    # 〜 (U+301C, WAVE DASH) as one live-file parser reports, instead of ～ (U+FF5E).
    body = edited("week.csv", "2026．9．6～9．12", "2026．9．6〜9．12")
    assert parse_flows_weekly(body).equals(weekly)
    body = edited("week.csv", "2026．9．6～9．12", "2026年9月6日～9月12日")
    assert parse_flows_weekly(body).equals(weekly)


def test_weekly_refusal_shows_the_header_rows_it_found() -> None:
    unknown = ASSET_ROW.replace("株式・投資ファンド持分", "株式等").replace("中長期債", "債券")
    unknown = unknown.replace("短期債", "短期").replace("小計", "計").replace("合計", "総計")
    with pytest.raises(ParseError) as caught:
        parse_flows_weekly(edited("week.csv", ASSET_ROW, unknown))
    message = str(caught.value)
    assert "header rows found (abridged" in message
    assert "line 1: 1:対外及び対内証券売買契約等の状…" in message  # title cut to 16 characters
    assert "2:株式等 | 5:債券 | 8:計 | 9:短期" in message  # the row that did not fit, by column
    assert "(+" in message  # long rows are abridged, not dumped


def test_monthly_refusal_names_the_expected_label_and_shows_the_header() -> None:
    body = text("montha1.csv")
    body = body.replace("株式・投資ファンド持分", "Stocks").replace("株式", "Stocks")
    with pytest.raises(ParseError) as caught:
        parse_flows_monthly(body.encode("cp932"))
    message = str(caught.value)
    assert "expected '株式'" in message and "header rows found" in message
    assert ":Stocks" in message


def test_by_investor_refusal_shows_the_header_rows_it_found() -> None:
    with pytest.raises(ParseError) as caught:
        parse_flows_by_investor(edited("monthb3.csv", "各部門計", "合計"))
    assert "header rows found" in str(caught.value) and ":合計" in str(caught.value)


def test_a_file_with_no_data_rows_shows_its_first_rows() -> None:
    html_like = "対外及び対内証券売買契約等の状況\r\nメンテナンス中です\r\n".encode("cp932")
    with pytest.raises(ParseError) as caught:
        parse_flows_weekly(html_like)
    assert "no data rows found" in str(caught.value)
    assert "line 2: 1:メンテナンス中です" in str(caught.value)
