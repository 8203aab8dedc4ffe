"""A row that holds data but no date the parser knows fails the file, naming the row (14.3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.lib.errors import ParseError
from pipelines.sources.mof.flows_parse import parse_flows_weekly

WEEK = Path(__file__).resolve().parents[1] / "fixtures" / "mof" / "week.csv"


def test_the_weekly_fixture_still_parses() -> None:
    assert parse_flows_weekly(WEEK.read_bytes()).height > 0


@pytest.mark.parametrize("cell", ["令和8年9月6日～9月12日x", "Total", "2026/9/6-9/12"])
def test_a_weekly_row_of_amounts_under_an_unknown_first_cell_fails_the_file(cell: str) -> None:
    text = WEEK.read_bytes().decode("cp932")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.rstrip(newline).split(newline)
    amounts = ",".join(['"1,000 "'] * 22)
    lines.append(f"{cell},{amounts}")
    body = newline.join(lines)
    last = body.count("\n") + 1  # quoted header cells span lines: count physical lines
    with pytest.raises(ParseError, match=rf"line {last}: .*(not a week period|malformed)"):
        parse_flows_weekly(body.encode("cp932"))
