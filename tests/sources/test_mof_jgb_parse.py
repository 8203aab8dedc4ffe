"""MOF JGB yield parser: real files, checked against values computed without the parser.

Expected numbers come from FORMATS §2.5, from literal lines read with grep, or from reading the
file here with Python's csv module; never from `parse_jgb_csv` itself.
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines.lib.errors import ParseError
from pipelines.sources.mof.jgb_parse import (
    TENORS,
    parse_jgb_csv,
    parse_jgb_file,
    parse_jgb_title_month,
)

HISTORY_EN = "jgbcme_all.csv"
HISTORY_JA = "jgbcm_all.csv"
CURRENT_JA = "jgbcm.csv"


@pytest.fixture(scope="module")
def mof_dir(reference_dir: Path) -> Path:
    return reference_dir / "mof_jgb"


@pytest.fixture(scope="module")
def history_en(mof_dir: Path) -> pl.DataFrame:
    return parse_jgb_csv((mof_dir / HISTORY_EN).read_bytes())


@pytest.fixture(scope="module")
def history_ja(mof_dir: Path) -> pl.DataFrame:
    return parse_jgb_csv((mof_dir / HISTORY_JA).read_bytes())


def csv_rows(path: Path) -> list[list[str]]:
    """The file's data rows read independently: csv module, rows after the second line."""
    with path.open(encoding="cp932", newline="") as handle:
        return list(csv.reader(handle))[2:]


def value(frame: pl.DataFrame, day: date, tenor: int) -> float | None:
    hit = frame.filter((pl.col("date") == day) & (pl.col("tenor_years") == tenor))
    return hit["yield_pct"][0] if hit.height else None


# --- real files ------------------------------------------------------------------------------


def test_output_has_date_int16_tenor_float_yield_schema(history_en: pl.DataFrame) -> None:
    assert history_en.schema == pl.Schema(
        {"date": pl.Date, "tenor_years": pl.Int16, "yield_pct": pl.Float64}
    )
    assert sorted(history_en["tenor_years"].unique().to_list()) == list(TENORS)


@pytest.mark.parametrize("name", [HISTORY_EN, HISTORY_JA])
def test_rows_per_tenor_equal_non_dash_cells_counted_with_csv_module(
    mof_dir: Path, name: str
) -> None:
    rows = csv_rows(mof_dir / name)
    expected = {t: sum(1 for r in rows if r[i + 1] != "-") for i, t in enumerate(TENORS)}
    parsed = parse_jgb_csv((mof_dir / name).read_bytes())
    counts = dict(parsed.group_by("tenor_years").len().iter_rows())
    assert counts == expected


def test_english_history_spans_1974_09_24_to_2026_04_30_on_13208_dates(
    history_en: pl.DataFrame,
) -> None:
    assert history_en["date"].min() == date(1974, 9, 24)
    assert history_en["date"].max() == date(2026, 4, 30)
    assert history_en["date"].n_unique() == 13_208


def test_japanese_history_spans_s49_9_24_to_r8_6_30_on_13248_dates(
    history_ja: pl.DataFrame,
) -> None:
    assert history_ja["date"].min() == date(1974, 9, 24)
    assert history_ja["date"].max() == date(2026, 6, 30)
    assert history_ja["date"].n_unique() == 13_248


FIRST_DATES = {
    **dict.fromkeys(range(1, 10), date(1974, 9, 24)),
    10: date(1986, 7, 5),
    20: date(1986, 12, 1),
    15: date(1991, 8, 30),
    30: date(1999, 9, 2),
    25: date(2004, 3, 22),
    40: date(2007, 11, 6),
}


def test_first_date_of_each_tenor_matches_formats_table(history_en: pl.DataFrame) -> None:
    firsts = dict(history_en.group_by("tenor_years").agg(pl.col("date").min()).iter_rows())
    assert firsts == FIRST_DATES


@pytest.mark.parametrize(
    ("tenor", "start", "end", "missing_rows"),
    [
        (1, date(1978, 5, 22), date(1980, 8, 21), 648),
        (2, date(1978, 5, 22), date(1979, 8, 21), 361),
        (3, date(1978, 5, 22), date(1978, 8, 21), 76),
    ],
)
def test_short_tenor_gaps_have_no_rows_while_other_tenors_continue(
    history_en: pl.DataFrame, tenor: int, start: date, end: date, missing_rows: int
) -> None:
    in_gap = history_en.filter(pl.col("date").is_between(start, end))
    assert in_gap["date"].n_unique() == missing_rows
    assert in_gap.filter(pl.col("tenor_years") == tenor).is_empty()
    # the gap is exactly that: the tenor is quoted on the day before and the day after it
    dates = history_en["date"].unique().sort()
    before = dates.filter(dates < start)[-1]
    after = dates.filter(dates > end)[0]
    assert value(history_en, before, tenor) is not None
    assert value(history_en, after, tenor) is not None


@pytest.mark.parametrize("name", [HISTORY_EN, HISTORY_JA])
def test_history_keeps_all_14434_negative_yields(mof_dir: Path, name: str) -> None:
    rows = csv_rows(mof_dir / name)
    negative_cells = sum(1 for r in rows for c in r[1:] if c.startswith("-") and c != "-")
    assert negative_cells == 14_434
    parsed = parse_jgb_csv((mof_dir / name).read_bytes())
    assert parsed.filter(pl.col("yield_pct") < 0).height == 14_434


def test_history_has_519_saturday_rows_all_before_1989_01_29(history_en: pl.DataFrame) -> None:
    saturdays = history_en.filter(pl.col("date").dt.weekday() == 6)["date"].unique()
    assert saturdays.len() == 519
    assert saturdays.max() == date(1989, 1, 28)


@pytest.mark.parametrize(
    ("day", "tenor", "expected"),
    [
        (date(1974, 9, 24), 1, 10.327),  # S49.9.24 / 1974/9/24, first row
        (date(1974, 9, 24), 9, 8.127),
        (date(1978, 5, 19), 1, 5.058),  # last 1Y quote before the gap
        (date(1986, 7, 5), 10, 5.103),  # first 10Y quote (a Saturday)
        (date(1989, 1, 6), 20, 4.971),  # S64.1.6, last Showa day in the file
        (date(1989, 1, 9), 10, 4.791),  # H1.1.9, first Heisei day in the file
        (date(2016, 7, 27), 7, -0.423),
        (date(2019, 4, 26), 10, -0.045),  # H31.4.26
        (date(2019, 4, 26), 1, -0.157),
        (date(2019, 4, 26), 40, 0.625),
        (date(2019, 5, 7), 10, -0.049),  # R1.5.7
        (date(2019, 5, 7), 1, -0.161),
        (date(2026, 4, 30), 40, 3.743),  # last English row
    ],
)
def test_sample_values_read_with_grep(
    history_en: pl.DataFrame, history_ja: pl.DataFrame, day: date, tenor: int, expected: float
) -> None:
    assert value(history_en, day, tenor) == expected
    assert value(history_ja, day, tenor) == expected


def test_dash_cells_give_no_row(history_en: pl.DataFrame) -> None:
    # 1986/7/5: 10Y is quoted, 15Y is `-`; 1978/5/22: 1Y..3Y are `-`
    assert value(history_en, date(1986, 7, 5), 15) is None
    assert value(history_en, date(1978, 5, 22), 3) is None
    assert value(history_en, date(1978, 5, 22), 4) == 5.901


def test_japanese_history_last_row_r8_6_30(history_ja: pl.DataFrame) -> None:
    last = history_ja.filter(pl.col("date") == date(2026, 6, 30))
    assert last["yield_pct"].to_list() == [
        1.165, 1.382, 1.531, 1.755, 1.937, 2.075, 2.231, 2.398,
        2.553, 2.69, 3.271, 3.625, 3.883, 3.873, 3.792,
    ]  # fmt: skip


def test_english_and_japanese_histories_agree_on_every_common_date(
    history_en: pl.DataFrame, history_ja: pl.DataFrame
) -> None:
    common = history_ja.filter(pl.col("date") <= date(2026, 4, 30))
    assert common["date"].n_unique() == 13_208
    joined = history_en.join(common, on=["date", "tenor_years"], how="full", coalesce=True)
    assert joined.height == history_en.height == common.height
    assert joined.filter(pl.col("yield_pct") != pl.col("yield_pct_right")).is_empty()
    assert joined["yield_pct"].null_count() == joined["yield_pct_right"].null_count() == 0


def test_current_month_file_covers_2025_10_01_to_16_and_skips_blank_row_and_trailer(
    mof_dir: Path,
) -> None:
    body = (mof_dir / CURRENT_JA).read_bytes()
    parsed = parse_jgb_csv(body)
    expected_dates = [date(2025, 10, d) for d in (1, 2, 3, 6, 7, 8, 9, 10, 14, 15, 16)]
    assert parsed["date"].unique().sort().to_list() == expected_dates
    assert parsed.height == 11 * 15
    assert value(parsed, date(2025, 10, 16), 10) == 1.663
    assert value(parsed, date(2025, 10, 1), 40) == 3.335
    assert parse_jgb_title_month(body) == date(2025, 10, 1)


def test_history_files_have_no_title_month(mof_dir: Path) -> None:
    assert parse_jgb_title_month((mof_dir / HISTORY_EN).read_bytes()) is None
    assert parse_jgb_title_month((mof_dir / HISTORY_JA).read_bytes()) is None


def test_history_parses_in_under_two_seconds(mof_dir: Path) -> None:
    body = (mof_dir / HISTORY_JA).read_bytes()
    started = time.perf_counter()
    parse_jgb_csv(body)
    assert time.perf_counter() - started < 2.0


# --- crafted variants of the real current-month file -------------------------------------------


@pytest.fixture(scope="module")
def current_text(mof_dir: Path) -> str:
    return (mof_dir / CURRENT_JA).read_bytes().decode("cp932")


def test_tenors_are_mapped_by_header_label_not_position(current_text: str) -> None:
    """Swap the 1年 and 40年 columns in header and data: the result must not change."""
    rows = list(csv.reader(io.StringIO(current_text, newline="")))
    for row in rows[1:]:
        if len(row) == 16:
            row[1], row[15] = row[15], row[1]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    swapped = parse_jgb_csv(out.getvalue().encode("cp932"))
    assert swapped.equals(parse_jgb_csv(current_text.encode("cp932")))


def test_english_current_month_layout_with_quoted_trailer_parses() -> None:
    body = (
        "Interest Rate (September 2026),,,,,,,,,,,,,,,(Unit : %)\r\n"
        "Date,1Y,2Y,3Y,4Y,5Y,6Y,7Y,8Y,9Y,10Y,15Y,20Y,25Y,30Y,40Y\r\n"
        "2026/9/1,1.527,1.802,1.952,2.14,2.28,2.411,2.559,2.718,2.848,2.987,3.544,3.859,4.143,"
        "4.131,4.145\r\n"
        "2026/9/2,-,1.8,1.95,2.1,2.2,2.4,2.5,2.7,2.8,2.9,3.5,3.8,4.1,4.1,4.1\r\n"
        ",,,,,,,,,,,,,,,\r\n"
        "\"If you cannot download the latest csv data, please clear the browser's cache and "
        'download again.",,,,,,,,,,,,,,,\r\n'
    ).encode("cp932")
    parsed = parse_jgb_csv(body)
    assert parsed.height == 15 + 14  # the `-` 1Y on 2026/9/2 gives no row
    assert value(parsed, date(2026, 9, 1), 40) == 4.145
    assert parse_jgb_title_month(body) == date(2026, 9, 1)


def test_negative_value_is_kept_while_lone_dash_is_missing() -> None:
    body = (
        "基準日,1年,2年,3年,4年,5年,6年,7年,8年,9年,10年,15年,20年,25年,30年,40年\r\n"
        "H31.4.26,-0.157,-,-0.167,-0.174,-0.17,-0.171,-0.164,-0.137,-0.096,-0.045,0.173,"
        "0.374,0.468,0.557,0.625\r\n"
    ).encode("cp932")
    parsed = parse_jgb_csv(body)
    assert value(parsed, date(2019, 4, 26), 1) == -0.157
    assert value(parsed, date(2019, 4, 26), 2) is None
    assert parsed.height == 14


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("国債金利情報 (令和7年10月)", date(2025, 10, 1)),
        ("国債金利情報 (令和元年5月)", date(2019, 5, 1)),
        ("国債金利情報 (平成31年4月)", date(2019, 4, 1)),
        ("国債金利情報（令和８年１月）", date(2026, 1, 1)),  # full-width digits and brackets
        ("Interest Rate (September 2026)", date(2026, 9, 1)),
        ("Interest Rate (May 2019)", date(2019, 5, 1)),
        ("国債金利情報", None),
        ("Interest Rate", None),
    ],
)
def test_title_month_from_japanese_era_or_english_title(title: str, expected: date | None) -> None:
    body = f"{title},,,,,,,,,,,,,,,(単位 : %)\r\n基準日,1年\r\n".encode("cp932")
    assert parse_jgb_title_month(body) == expected


def test_title_month_outside_its_era_is_an_error() -> None:
    with pytest.raises(ParseError, match="outside era H"):
        parse_jgb_title_month("国債金利情報 (平成32年1月),,\r\n".encode("cp932"))


def test_utf8_reencoded_japanese_file_is_rejected_as_not_shift_jis(current_text: str) -> None:
    with pytest.raises(ParseError, match=r"not Shift_JIS/cp932 \(it is valid UTF-8"):
        parse_jgb_csv(current_text.encode("utf-8"))


def replace_once(text: str, old: str, new: str) -> bytes:
    assert text.count(old) == 1, old
    return text.replace(old, new).encode("cp932")


@pytest.mark.parametrize(
    ("old", "new", "message", "line"),
    [
        ("R7.10.2,", "9/24/74,", r"malformed date '9/24/74'", 4),
        ("R7.10.2,", "2025-10-02,", r"malformed date '2025-10-02'", 4),
        ("R7.10.2,", "H31.5.7,", r"'H31.5.7' = 2019-05-07 lies outside era H", 4),
        ("R7.10.2,", "R1.4.30,", r"'R1.4.30' = 2019-04-30 lies outside era R", 4),
        ("R7.10.2,", "S64.1.8,", r"'S64.1.8' = 1989-01-08 lies outside era S", 4),
        ("R7.10.2,", "H1.1.7,", r"'H1.1.7' = 1989-01-07 lies outside era H", 4),
        ("R7.10.2,", "R7.2.30,", r"invalid calendar date 'R7.2.30'", 4),
        ("R7.10.2,", "R7.10.1,", r"duplicate date 2025-10-01 \(first on line 3\)", 4),
        (",0.954,", ",n/a,", r"2Y value 'n/a' is not a number", 3),
        (",0.954,", ",,", r"2Y value '' is not a number", 3),
        (",0.954,", ",N.A.,", r"2Y value 'N.A.' is not a number", 3),
        (",3.353\r\n", "\r\n", r"data row has 15 cells, expected 16", 4),
        (",3.353\r\n", ",3.353,9.9\r\n", r"data row has 17 cells, expected 16", 4),
        (",40年", ",50年", r"unknown tenor label '50年'", 2),
        (",40年", ",10年", r"tenor label '10年' appears twice", 2),
        (",40年", ",", r"header lacks tenor\(s\) 40Y", 2),
    ],
)
def test_corrupted_current_month_file_raises_parse_error_with_line(
    current_text: str, old: str, new: str, message: str, line: int
) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse_jgb_csv(replace_once(current_text, old, new))
    assert caught.value.line == line


def test_file_without_header_row_is_rejected(current_text: str) -> None:
    with pytest.raises(ParseError, match="header row not found"):
        parse_jgb_csv(replace_once(current_text, "基準日", "日付"))


def test_header_without_data_rows_is_rejected() -> None:
    with pytest.raises(ParseError, match="no data rows"):
        parse_jgb_csv(b"Date,1Y,2Y,3Y,4Y,5Y,6Y,7Y,8Y,9Y,10Y,15Y,20Y,25Y,30Y,40Y\r\n,,,\r\n")


def test_every_data_row_of_the_real_files_has_a_date_known_to_the_parser(mof_dir: Path) -> None:
    """No row is silently dropped: each non-blank first cell below the header is a date."""
    for name in (HISTORY_EN, HISTORY_JA):
        rows = csv_rows(mof_dir / name)
        parsed_dates = parse_jgb_csv((mof_dir / name).read_bytes())["date"].n_unique()
        assert parsed_dates == len(rows) == len(Counter(r[0] for r in rows))


def test_jgb_urls_are_the_publishers_paths_below_a_swappable_host() -> None:
    from pipelines.sources.mof import urls

    expected = {
        urls.JGB_HISTORY_EN: "https://www.mof.go.jp/english/policy/jgbs/reference/interest_rate/"
        "historical/jgbcme_all.csv",
        urls.JGB_CURRENT_EN: "https://www.mof.go.jp/english/policy/jgbs/reference/interest_rate/"
        "jgbcme.csv",
        urls.JGB_HISTORY_JA: "https://www.mof.go.jp/jgbs/reference/interest_rate/data/jgbcm_all.csv",
        urls.JGB_CURRENT_JA: "https://www.mof.go.jp/jgbs/reference/interest_rate/jgbcm.csv",
    }
    for file, address in expected.items():
        assert urls.url(urls.DEFAULT_BASE_URL, file) == address
        assert urls.url("http://localhost:8000", file) == address.replace(
            "https://www.mof.go.jp", "http://localhost:8000"
        )


@pytest.mark.parametrize("base", ["www.mof.go.jp", "ftp://www.mof.go.jp", "https://x?y=1", ""])
def test_url_rejects_a_base_that_is_not_scheme_and_host(base: str) -> None:
    from pipelines.sources.mof import urls

    with pytest.raises(ValueError, match="MOF base URL"):
        urls.url(base, urls.JGB_HISTORY_EN)


def test_current_month_file_before_the_first_quote_is_empty_not_an_error():
    """On the month's first business day MOF serves the title, header and trailer only."""
    body = (
        "国債金利情報 (令和8年12月),,,,,,,,,,,,,,,(単位 : %)\r\n"
        "基準日,1年,2年,3年,4年,5年,6年,7年,8年,9年,10年,15年,20年,25年,30年,40年\r\n"
        ",,,,,,,,,,,,,,,\r\n"
    ).encode("cp932")
    assert parse_jgb_csv(body).is_empty()


def test_history_file_with_no_rows_is_still_an_error():
    body = (
        b"Interest Rate,,,,,,,,,,,,,,,(Unit : %)\r\n"
        b"Date,1Y,2Y,3Y,4Y,5Y,6Y,7Y,8Y,9Y,10Y,15Y,20Y,25Y,30Y,40Y\r\n"
    )
    with pytest.raises(ParseError, match="no data rows"):
        parse_jgb_csv(body)


# --- issue 14: a reply may only touch what was asked; no silent drops --------------------------

TITLE_JA = "国債金利情報 (令和8年11月),,,,,,,,,,,,,,,(単位 : %)\r\n"
HEADER_JA = "基準日,1年,2年,3年,4年,5年,6年,7年,8年,9年,10年,15年,20年,25年,30年,40年\r\n"
VALUES = ",".join(f"{1 + t / 100:.3f}" for t in TENORS)


def current_ja(*first_cells: str, title: str = TITLE_JA) -> bytes:
    rows = "".join(f"{c},{VALUES}\r\n" for c in first_cells)
    return (title + HEADER_JA + rows + ",,,,,,,,,,,,,,,\r\n"
            "※最新のcsvデータがダウンロードできない場合、キャッシュを削除してください。,,,,,,,,,,,,,,,\r\n"
            ).encode("cp932")


@pytest.mark.parametrize(
    "cell", ["令和8年11月27日", "R8.11.27", "令和8.11.27", "令和８年１１月２７日"])
def test_kanji_and_letter_era_forms_all_parse_to_the_same_day(cell: str) -> None:
    parsed = parse_jgb_csv(current_ja("R8.11.26", cell))
    assert sorted(set(parsed["date"].to_list())) == [date(2026, 11, 26), date(2026, 11, 27)]
    assert parsed.height == 2 * len(TENORS)


def test_reiwa_gannen_is_year_one() -> None:
    title = "国債金利情報 (令和元年5月),,,,,,,,,,,,,,,(単位 : %)\r\n"
    body = current_ja("令和元年5月7日", title=title)
    assert parse_jgb_csv(body)["date"].unique().to_list() == [date(2019, 5, 7)]


@pytest.mark.parametrize("cell", ["令和8.11.27x", "Total", "平均"])
def test_a_first_cell_neither_date_nor_note_fails_the_file_naming_the_row(cell: str) -> None:
    with pytest.raises(ParseError, match=r"line 4: .*(neither a date|malformed date)"):
        parse_jgb_csv(current_ja("R8.11.26", cell))


def test_a_row_outside_the_month_the_title_declares_fails_the_whole_file() -> None:
    body = current_ja("R8.11.26", "R2.1.6")
    with pytest.raises(ParseError, match=r"line 4: row dated 2020-01-06 lies outside the month"
                                         r" the file's title declares \(2026-11\)"):
        parse_jgb_csv(body)


def test_a_day_with_every_tenor_missing_is_skipped_and_counted() -> None:
    body = current_ja("R8.11.26") + b""
    text = body.decode("cp932").replace(HEADER_JA, HEADER_JA + "R8.11.25," + ",".join(
        ["-"] * len(TENORS)) + "\r\n")
    parsed = parse_jgb_file(text.encode("cp932"))
    assert parsed.empty_days == (date(2026, 11, 25),)
    assert parsed.frame["date"].unique().to_list() == [date(2026, 11, 26)]
    assert parsed.month == date(2026, 11, 1)
