"""The report renders in headless Chromium with every chart's title and every point drawn."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import duckdb

from pipelines.serving.report import CHARTS, write_report
from pipelines.serving.svg import date_ticks, nice_ticks
from tests.serving.browser import chromium, measure, overlapping, screenshot
from tests.serving.conftest import DAYS, MONTHS, WEEKS

# What the warehouse says each chart must draw: (table, column) per series.
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "ust_jgb_10y": [("marts.yield_spreads_daily", "ust_10y_pct"),
                    ("marts.yield_spreads_daily", "jgb_10y_pct")],
    "spread_10y": [("marts.yield_spreads_daily", "spread_10y_bp")],
    "hedged_pickup": [("marts.fx_hedged_yields_monthly", "hedged_pickup_bp"),
                      ("marts.fx_hedged_yields_monthly", "unhedged_pickup_bp")],
    "japan_holdings": [("marts.japan_ust_holdings_monthly", "japan_usd_bn")],
    "japan_chg_12m": [("marts.japan_ust_holdings_monthly", "japan_chg_12m_usd_bn")],
    "mof_flows": [("marts.capital_flow_monthly", "mof_foreign_long_term_debt_net_jpy_100m")],
    "net_liquidity_btc": [("marts.us_net_liquidity_weekly", "net_liquidity_usd_bn"),
                          ("marts.us_net_liquidity_weekly", "btc_usd")],
}
TITLES = {  # latest value and its date, as the title must state them
    "ust_jgb_10y": ["UST 4.39% on 2026-11-20", "JGB 1.70% on 2026-11-20"],
    "spread_10y": ["+270 bp on 2026-11-20"],
    "hedged_pickup": ["hedged +35 bp in 2026-11"],
    "japan_holdings": ["$1,117 bn in 2026-09"],
    "japan_chg_12m": ["+$12 bn in 2026-09"],
    "mof_flows": ["in 2026-10"],
    "net_liquidity_btc": ["$5,887 bn on 2026-11-18", "Bitcoin $104,500 on 2026-11-18"],
}


@dataclass
class ChartDom:
    points_attr: int
    title: str = ""
    drawn: int = 0  # polyline vertices + rects


@dataclass
class ReportParser(HTMLParser):
    charts: dict[str, ChartDom] = field(default_factory=dict)
    _current: str | None = None
    _in_title: bool = False

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("data-chart"):
            self._current = a["data-chart"]
            self.charts[self._current] = ChartDom(int(a.get("data-points") or -1))
        elif self._current and tag == "h2":
            self._in_title = True
        elif self._current and tag == "polyline":
            self.charts[self._current].drawn += len((a.get("points") or "").split())
        elif self._current and tag == "rect":
            self.charts[self._current].drawn += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_title = False
        elif tag == "section":
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current and self._in_title:
            self.charts[self._current].title += data


def _dump_dom(browser: str, page: Path, profile: Path) -> str:
    run = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def test_report_charts_render_with_titles_and_every_point(
    warehouse_path: Path, tmp_path: Path
) -> None:
    browser = chromium()
    out = tmp_path / "serving" / "report.html"
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        counts = write_report(con, out, years=0)
        expected = {
            chart: sum(con.execute(f"SELECT count({col}) FROM {table}")  # noqa: S608
                       .fetchall()[0][0]
                       for table, col in series)
            for chart, series in EXPECTED.items()
        }
    assert expected["ust_jgb_10y"] == 2 * DAYS and expected["japan_holdings"] == MONTHS
    assert expected["net_liquidity_btc"] == 2 * WEEKS
    assert counts == expected
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")  # self-contained: nothing fetched

    parser = ReportParser()
    parser.feed(_dump_dom(browser, out, tmp_path / "profile"))
    assert set(parser.charts) == {c.id for c in CHARTS} == set(EXPECTED)
    for chart_id, dom in parser.charts.items():
        assert dom.points_attr == expected[chart_id], chart_id
        assert dom.drawn == expected[chart_id], chart_id
        for fragment in TITLES[chart_id]:
            assert fragment in dom.title, (chart_id, dom.title)


def test_an_empty_warehouse_still_renders_every_chart(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con:
        counts = write_report(con, tmp_path / "report.html")
    assert set(counts) == set(EXPECTED) and not any(counts.values())
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count('data-points="0"') == len(EXPECTED)
    assert "no data yet" in html


# --- what renders: ticks, zero lines, units, latest values, no overlapping labels ------------


UNITS = {"ust_jgb_10y": "%", "spread_10y": "bp", "hedged_pickup": "bp",
         "japan_holdings": "USD bn", "japan_chg_12m": "USD bn", "mof_flows": "¥ trn",
         "net_liquidity_btc": "USD bn"}


def _number(label: str) -> float:
    return float(label.replace(",", "").replace("−", "-"))


def _is_125(step: float) -> bool:
    import math

    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(abs(mantissa - m) < 1e-6 for m in (1, 2, 5))


def test_ticks_are_round_1_2_5_steps_covering_the_data() -> None:
    # The ranges quoted in the issue: 5.82 .. -0.64 and 53,171 .. -7,024.
    assert nice_ticks(-0.64, 5.82) == [-2, 0, 2, 4, 6]
    assert nice_ticks(-7024, 53171) == [-20000, 0, 20000, 40000, 60000]
    assert nice_ticks(1.3, 1.9) == [1.2, 1.4, 1.6, 1.8, 2.0]


def test_date_ticks_are_years_on_long_spans_and_quarters_on_short_ones() -> None:
    from datetime import date

    ten_years = date_ticks(date(2016, 11, 29), date(2026, 11, 27), 732)
    assert [label for _, label in ten_years] == [str(y) for y in range(2017, 2027)]
    months = date_ticks(date(2025, 5, 1), date(2026, 11, 1), 732)
    assert [label for _, label in months][:3] == ["2025 Q3", "2025 Q4", "2026 Q1"]


def test_charts_render_nice_ticks_zero_lines_units_and_latest_values_without_overlap(
    warehouse_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        write_report(con, out, years=0)
    width, height = screenshot(out, tmp_path / "report.png", tmp_path)
    assert (width, height) == (1000, 1400) and (tmp_path / "report.png").stat().st_size > 20_000
    layout = measure(out, tmp_path, "section.chart")
    assert set(layout["sections"]) == set(EXPECTED)
    for chart_id, chart in layout["sections"].items():
        texts, svg = chart["texts"], chart["svg"]
        y_labels = [t["text"] for t in texts if "ytick" in t["cls"].split()]
        x_labels = [t["text"] for t in texts if "xtick" in t["cls"].split()]
        assert len(y_labels) >= 3 and len(x_labels) >= 2, (chart_id, y_labels, x_labels)
        for side in ("left", "right"):
            values = [_number(t["text"]) for t in texts if {"ytick", side} <= set(t["cls"].split())]
            steps = {round(b - a, 9) for a, b in zip(values, values[1:], strict=False)}
            assert len(steps) <= 1 and all(_is_125(abs(s)) for s in steps), (chart_id, values)
        left = [_number(t["text"]) for t in texts if {"ytick", "left"} <= set(t["cls"].split())]
        assert all(re.fullmatch(r"\d{4}( Q[1-4]|-\d\d(-\d\d)?)?", v) for v in x_labels), x_labels
        if min(left) < 0 < max(left):
            assert chart["zero"] >= 1, chart_id
        assert [t["text"] for t in texts if t["cls"] == "unit"][0] == UNITS[chart_id]
        latest = [t for t in texts if t["cls"] == "latest"]
        assert len(latest) == len(EXPECTED[chart_id]), chart_id
        assert not overlapping(texts), (chart_id, overlapping(texts))
        for t in texts:  # nothing cut off at the chart's edges
            assert svg["x"] - 1 <= t["x"] and t["x"] + t["w"] <= svg["x"] + svg["w"] + 1, t
    mof = layout["sections"]["mof_flows"]["texts"]
    assert any(t["cls"] == "latest" and "trn" in t["text"] for t in mof)
