"""`assets/serving/report.html`: the headline charts in one self-contained file.

Inline CSS and inline SVG only (no script, no CDN), so it opens offline, from a mail
attachment or a file share. Each chart is a `<section data-chart=ID data-points=N>` whose
title states the latest value and its date. Run `python -m pipelines.serving.report` (or
`make report`); by default it reads the serving copy, which never waits for a writer.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape
from pathlib import Path

import duckdb

from pipelines.lib.settings import Settings
from pipelines.serving.status import status_html
from pipelines.serving.svg import Series, chart_svg, legend

DEFAULT_YEARS = 10


@dataclass(frozen=True)
class Line:
    column: str
    label: str
    unit: str  # pct | bp | usd_bn | usd_bn_chg | usd | jpy_100m
    color: str
    kind: str = "line"
    axis: str = "left"


@dataclass(frozen=True)
class Chart:
    id: str
    heading: str
    table: str
    date_column: str
    lines: tuple[Line, ...]
    note: str = ""


CHARTS: tuple[Chart, ...] = (
    Chart("ust_jgb_10y", "10-year yields", "marts.yield_spreads_daily", "date", (
        Line("ust_10y_pct", "UST", "pct", "#1f5fa8"),
        Line("jgb_10y_pct", "JGB", "pct", "#c0392b"),
    ), "Daily, on dates both markets published (FRED DGS10, MOF)."),
    Chart("spread_10y", "10-year UST-JGB spread", "marts.yield_spreads_daily", "date", (
        Line("spread_10y_bp", "spread", "bp", "#6c3483"),
    ), "UST minus JGB, same date, basis points."),
    Chart("hedged_pickup", "Pickup of 10-year USTs over JGBs for a yen investor",
          "marts.fx_hedged_yields_monthly", "month", (
              Line("hedged_pickup_bp", "hedged", "bp", "#117a65"),
              Line("unhedged_pickup_bp", "unhedged", "bp", "#b7950b"),
          ), "Monthly means; hedge cost = 3-month USD minus JPY rate (ignores the basis)."),
    Chart("japan_holdings", "Japan's holdings of US Treasuries",
          "marts.japan_ust_holdings_monthly", "month", (
              Line("japan_usd_bn", "holdings", "usd_bn", "#1f5fa8"),
          ), "TIC major foreign holders, end of month, USD billions."),
    Chart("japan_chg_12m", "Change in Japan's UST holdings over 12 months",
          "marts.japan_ust_holdings_monthly", "month", (
              Line("japan_chg_12m_usd_bn", "12-month change", "usd_bn_chg", "#2e86c1", "bar"),
          ), "Net selling plus price change, USD billions."),
    Chart("mof_flows", "Japanese investors' net purchases of foreign long-term bonds (MOF)",
          "marts.capital_flow_monthly", "month", (
              Line("mof_foreign_long_term_debt_net_jpy_100m", "net purchases", "jpy_100m",
                   "#ca6f1e", "bar"),
          ), "Monthly, ¥ trillion (MOF publishes 100 million yen: ¥1 trn = 10,000);"
             " negative = net selling (repatriation)."),
    Chart("net_liquidity_btc", "US net liquidity and Bitcoin", "marts.us_net_liquidity_weekly",
          "week", (
              Line("net_liquidity_usd_bn", "net liquidity", "usd_bn", "#1f5fa8"),
              Line("btc_usd", "Bitcoin", "usd", "#d68910", axis="right"),
          ), "Weekly (Wednesday): Fed assets - TGA - reverse repo, USD billions; BTC in USD."),
)

# Axis title per unit, and the factor from the stored value to the axis (MOF's 100 million
# yen are charted in trillions, as the titles state them).
AXIS_UNITS = {"pct": ("%", 1.0), "bp": ("bp", 1.0), "usd_bn": ("USD bn", 1.0),
              "usd_bn_chg": ("USD bn", 1.0), "usd": ("USD", 1.0),
              "jpy_100m": ("¥ trn", 1 / 10_000)}

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:920px;color:#222}
h1{font-size:1.5em;margin-bottom:0}.sub{color:#666;margin-top:4px}
section{margin:28px 0;border-top:1px solid #e5e5e5;padding-top:8px}
h2{font-size:1.1em;margin:6px 0}.note{color:#666;font-size:12px;margin:2px 0 6px}
svg{width:100%;height:auto}polyline{fill:none;stroke-width:1.4}
.grid{stroke:#eee}.zero{stroke:#444;stroke-width:1}.tick{font-size:11px;fill:#666}
.unit{font-size:11px;fill:#444;font-weight:600}.latest{font-size:11px;font-weight:600;
paint-order:stroke;stroke:#fff;stroke-width:3px}
.legend span{margin-right:16px;font-size:12px}.legend i{display:inline-block;width:10px;
height:10px;margin-right:4px;vertical-align:middle}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;border-bottom:1px solid #eee;
text-align:right}td:first-child,th:first-child{text-align:left}
#status h2{color:#a93226}#status td:last-child{text-align:left}
"""


def format_value(value: float, unit: str) -> str:
    if unit == "pct":
        return f"{value:.2f}%"
    if unit == "bp":
        return f"{value:+.0f} bp"
    if unit == "usd_bn":
        return f"${value:,.0f} bn"
    if unit == "usd_bn_chg":
        return f"{'-' if value < 0 else '+'}${abs(value):,.0f} bn"
    if unit == "usd":
        return f"${value:,.0f}"
    if unit == "jpy_100m":
        trillions = value / 10_000  # 10,000 x 100 million yen = 1 trillion yen
        return f"{'-' if trillions < 0 else '+'}¥{abs(trillions):,.2f} trn"
    return f"{value:,.2f}"


def _period(d: date, date_column: str) -> str:
    return d.strftime("%Y-%m") if date_column == "month" else d.isoformat()


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    schema, name = table.split(".")
    return {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?",
        [schema, name]).fetchall()}


def chart_series(
    con: duckdb.DuckDBPyConnection, chart: Chart, since: date
) -> list[tuple[Line, Series]]:
    """Each line's non-null observations on or after `since` (absent table: no points)."""
    columns = _exists(con, chart.table)
    out = []
    for line in chart.lines:
        rows: list[tuple[date, float]] = []
        if {chart.date_column, line.column} <= columns:
            rows = [(d, float(v)) for d, v in con.execute(
                f"SELECT {chart.date_column}::DATE, {line.column} FROM {chart.table}"  # noqa: S608
                f" WHERE {line.column} IS NOT NULL AND {chart.date_column} >= ?"
                f" ORDER BY {chart.date_column}", [since]).fetchall()]
        axis_unit, factor = AXIS_UNITS.get(line.unit, ("", 1.0))
        points = tuple((d, v * factor) for d, v in rows)
        out.append((line, Series(line.column, line.label, points, line.color, line.kind,
                                 line.axis, axis_unit, _formatter(line.unit, factor))))
    return out


def _formatter(unit: str, factor: float):
    return lambda v: format_value(v / factor, unit)


def chart_title(chart: Chart, series: Sequence[tuple[Line, Series]]) -> str:
    """'10-year yields: UST 4.39% on 2026-11-20, JGB 1.70% on 2026-11-20'."""
    latest = [
        f"{line.label} {s.fmt(s.points[-1][1]) if s.fmt else s.points[-1][1]}"
        f" {'in' if chart.date_column == 'month' else 'on'}"
        f" {_period(s.points[-1][0], chart.date_column)}"
        for line, s in series if s.points
    ]
    return f"{chart.heading}: {', '.join(latest) if latest else 'no data yet'}"


def _section(chart: Chart, series: list[tuple[Line, Series]]) -> str:
    points = sum(len(s.points) for _, s in series)
    plain = [s for _, s in series]
    return (
        f'<section class="chart" id="{chart.id}" data-chart="{chart.id}"'
        f' data-points="{points}"><h2>{escape(chart_title(chart, series))}</h2>'
        f'<p class="note">{escape(chart.note)} Source: {chart.table}.</p>'
        f"{legend(plain)}{chart_svg(plain)}</section>"
    )


def _indicators(con: duckdb.DuckDBPyConnection) -> str:
    if not {"indicator", "value", "as_of"} <= _exists(con, "marts.latest_indicators"):
        return ""
    rows = con.execute(
        "SELECT indicator, value, as_of, chg_1w, chg_1m FROM marts.latest_indicators").fetchall()

    def num(v: float | None) -> str:
        return "" if v is None else f"{v:,.2f}"

    body = "".join(
        f"<tr><td>{escape(i)}</td><td>{num(v)}</td><td>{a or ''}</td><td>{num(w)}</td>"
        f"<td>{num(m)}</td></tr>" for i, v, a, w, m in rows)
    return ('<section id="latest"><h2>Latest indicators</h2><table><tr><th>indicator</th>'
            f"<th>value</th><th>as of</th><th>1w change</th><th>1m change</th></tr>{body}"
            "</table></section>")


def render(con: duckdb.DuckDBPyConnection, *, years: int = DEFAULT_YEARS,
           today: date | None = None, data_version: str | None = None
           ) -> tuple[str, dict[str, int]]:
    """The page, and the number of points drawn per chart id. Read from the serving copy,
    it also lists every stale table (meta.table_status); `data_version` is recorded in a
    <meta> tag, so the next refresh can tell whether the page is current."""
    today = today or datetime.now(UTC).date()
    since = today - timedelta(days=round(365.25 * years)) if years > 0 else date(1900, 1, 1)
    sections, counts = [], {}
    for chart in CHARTS:
        series = chart_series(con, chart, since)
        counts[chart.id] = sum(len(s.points) for _, s in series)
        sections.append(_section(chart, series))
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        + (f'<meta name="data-version" content="{escape(data_version)}">'
           if data_version else "")
        + "<title>Is Japanese money leaving US Treasuries?</title>"
        f"<style>{_CSS}</style></head><body>"
        "<h1>Is Japanese money leaving US Treasuries?</h1>"
        f'<p class="sub">Generated {generated}; data since {since.isoformat()}. Freshness and'
        " check status of every table: meta.table_status in analytics.duckdb.</p>"
        f"{status_html(con)}{_indicators(con)}{''.join(sections)}</body></html>"
    )
    return html, counts


def write_report(con: duckdb.DuckDBPyConnection, out: Path, *, years: int = DEFAULT_YEARS,
                 today: date | None = None, data_version: str | None = None) -> dict[str, int]:
    """Render and write atomically (temp file, rename): a browser never reads half a page."""
    html, counts = render(con, years=years, today=today, data_version=data_version)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, out)
    return counts


def report_data_version(path: Path) -> str | None:
    """The data version a written page records, or None (no page, or none recorded)."""
    try:
        head = path.read_text(encoding="utf-8")[:4000]
    except OSError:
        return None
    found = re.search(r'<meta name="data-version" content="([^"]*)">', head)
    return found.group(1) if found else None


def main(argv: Sequence[str] | None = None) -> None:
    settings = Settings.from_env()
    serving = settings.serving_dir / "analytics.duckdb"
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=serving if serving.exists()
                        else settings.warehouse_path,
                        help="DuckDB file to read (default: the serving copy, else the warehouse)")
    parser.add_argument("--out", type=Path, default=settings.serving_dir / "report.html")
    parser.add_argument("--years", type=int, default=DEFAULT_YEARS,
                        help="years of history to chart; 0 for all")
    args = parser.parse_args(argv)
    if not args.db.exists():
        raise SystemExit(f"{args.db} does not exist: run `make demo` (or materialise) first")
    with duckdb.connect(str(args.db), read_only=True) as con:
        counts = write_report(con, args.out, years=args.years)
    print(f"wrote {args.out} from {args.db}: "
          + ", ".join(f"{k} {v} points" for k, v in counts.items()))


if __name__ == "__main__":
    main()
