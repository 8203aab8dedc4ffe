"""TIC Table 5: every layout variant FORMATS.md describes reads the same holdings; anything
else is refused with the rows the parser found (FORMATS.md marks this file unverified)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.lib.errors import ParseError
from pipelines.sources.tic.parse import parse_slt_table5

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tic" / "slt_table5.txt"
ISO_HEADER = "Country\t2026-07\t2026-06\t2026-05"


@pytest.fixture(scope="module")
def text() -> str:
    return FIXTURE.read_bytes().decode("ascii")


@pytest.fixture(scope="module")
def iso(text: str) -> pl.DataFrame:
    return parse_slt_table5(text.encode("ascii")).holdings


def _parse(text: str) -> pl.DataFrame:
    return parse_slt_table5(text.encode("ascii")).holdings


def test_two_row_month_name_header_reads_the_same(text: str, iso: pl.DataFrame) -> None:
    two_rows = "\tJul\tJun\tMay\r\nCountry\t2026\t2026\t2026\r\n\t------\t------\t------"
    assert _parse(text.replace(ISO_HEADER, two_rows)).equals(iso)


def test_two_row_header_across_a_year_end_dates_each_column(text: str) -> None:
    two_rows = "\tJan\tDec\tNov\r\nCountry\t2027\t2026\t2026"
    holdings = _parse(text.replace(ISO_HEADER, two_rows))
    assert sorted(holdings["month"].unique().dt.strftime("%Y-%m").to_list()) == [
        "2026-11", "2026-12", "2027-01"]


def test_quoted_labels_lf_endings_and_short_memo_labels_read_the_same(
    text: str, iso: pl.DataFrame
) -> None:
    variant = (text.replace("China, Mainland", '"China, Mainland"')
               .replace("Korea, South", '"Korea, South "')
               .replace("Of Which: Foreign Official\t", "Of which:\r\nFor. Official\t")
               .replace("Of Which: Foreign Official Treasury Bills", "Treasury Bills")
               .replace("Of Which: Foreign Official T-Bonds & Notes", "T-Bonds & Notes")
               .replace("\r\n", "\n"))
    assert _parse(variant).equals(iso)


def test_no_known_header_is_refused_with_the_rows_found(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        _parse(text.replace(ISO_HEADER, "Country\tJul-2026\tJun-2026\tMay-2026"))
    message = str(caught.value)
    assert "no header found" in message and "YYYY-MM" in message
    assert "header rows found (abridged" in message
    assert "line 1: 1:Table 5: Major …" in message
    assert "line 6: 1:Country | 2:Jul-2026 | 3:Jun-2026 | 4:May-2026" in message
