"""Inline SVG charts, drawn server-side: no script, no CDN, so the report works offline anywhere.

Lines are one `<polyline>` per series (one vertex per observation), bars one `<rect>` per
observation; a series may use the right-hand axis when its unit differs (BTC against USD bn).
Axes read like a published chart: value ticks on 1-2-5 steps, a zero line whenever the range
crosses zero, a date tick every year, or every quarter on short spans, thinned so no two
labels touch, each axis titled with its unit, and the latest value of each series labelled.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

WIDTH, HEIGHT = 860, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 64, 22, 28
CHAR_W = 6.6  # px per character at the 11px tick font, a little generous
QUARTER_SPAN_DAYS = 3 * 366  # shorter spans get a tick every quarter, longer every year


@dataclass(frozen=True)
class Series:
    name: str  # column name, e.g. ust_10y_pct
    label: str
    points: tuple[tuple[date, float], ...]
    color: str
    kind: str = "line"  # line | bar
    axis: str = "left"  # left | right
    unit: str = ""  # axis title, e.g. "%", "bp", "USD bn", "¥ trn"
    fmt: Callable[[float], str] | None = None  # how the latest value is written


def nice_step(span: float, target: int = 5) -> float:
    """The 1, 2 or 5 x 10^k step that cuts `span` into about `target` intervals."""
    raw = span / max(target, 1)
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw * 0.999)


def nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]: multiples of a 1-2-5 step, zero among them when
    the range crosses it. The axis then runs from the first tick to the last."""
    if hi <= lo:
        hi, lo = (lo + 1, lo - 1) if lo == 0 else (lo + abs(lo) * 0.1, lo - abs(lo) * 0.1)
    step = nice_step(hi - lo, target)
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [round(i * step, 12) for i in range(first, last + 1)]


def tick_label(value: float, step: float) -> str:
    """As many decimals as the step needs, thousands separated, a real minus sign."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    text = f"{abs(value):,.{decimals}f}"
    return ("−" + text) if value < 0 and float(text.replace(",", "")) != 0 else text


def _tick_days(first: date, last: date) -> tuple[list[date], Callable[[date], str]]:
    """Years on spans of three years and more, then quarters, months, and weeks (Mondays)."""
    days = (last - first).days
    years = range(first.year, last.year + 1)
    if days >= QUARTER_SPAN_DAYS:
        return [date(y, 1, 1) for y in years], lambda d: str(d.year)
    if days >= 270:
        return ([date(y, m, 1) for y in years for m in (1, 4, 7, 10)],
                lambda d: f"{d.year} Q{(d.month + 2) // 3}")
    if days >= 60:
        return [date(y, m, 1) for y in years for m in range(1, 13)], lambda d: f"{d:%Y-%m}"
    monday = first + timedelta(days=-first.weekday() % 7)
    return ([monday + timedelta(weeks=i) for i in range(days // 7 + 1)],
            lambda d: d.isoformat())


def date_ticks(first: date, last: date, plot_w: float) -> list[tuple[date, str]]:
    """Jan 1 of each year (quarters, months or Mondays on shorter spans), every n-th kept so
    that no two labels come closer than their own width."""
    candidates, label = _tick_days(first, last)
    ticks = [d for d in candidates if first <= d <= last]
    if not ticks:
        return [(first, first.isoformat())]
    span = max((last - first).days, 1)
    widest = max(len(label(d)) for d in ticks) * CHAR_W + 10
    every = 1
    while every < len(ticks):
        gap = plot_w * (ticks[every] - ticks[0]).days / span
        if gap >= widest:
            break
        every += 1
    return [(d, label(d)) for d in ticks[::every]]


def _value_range(series: Sequence[Series], axis: str) -> list[float] | None:
    values = [v for s in series if s.axis == axis for _, v in s.points]
    if not values:
        return None
    if any(s.kind == "bar" for s in series if s.axis == axis):
        values.append(0.0)  # bars grow from zero
    lo, hi = min(values), max(values)
    if lo >= 0 and hi > 0 and lo < hi * 0.35:
        lo = 0.0  # a positive series close to zero shows zero; a far one zooms in
    return nice_ticks(lo, hi)


def chart_svg(series: Sequence[Series]) -> str:
    """One chart; every observation is one polyline vertex or one rect."""
    days = [d for s in series for d, _ in s.points]
    if not days:
        return (f'<svg viewBox="0 0 {WIDTH} 60" role="img"><text x="10" y="35">'
                "no data yet</text></svg>")
    first, last = min(days), max(days)
    bar_days = sorted({d for s in series if s.kind == "bar" for d, _ in s.points})
    if bar_days:  # half a bar's room at each end, so the outer bars stay inside the plot
        gap = min(((b - a) for a, b in zip(bar_days, bar_days[1:], strict=False)),
                  default=timedelta(days=15))
        first, last = first - gap / 2, last + gap / 2
    span = max((last - first).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(d: date) -> float:
        return LEFT + plot_w * (d - first).days / span

    ticks = {a: _value_range(series, a) for a in ("left", "right")}

    def y(v: float, axis: str) -> float:
        t = ticks[axis] or [0.0, 1.0]
        return TOP + plot_h * (1 - (v - t[0]) / (t[-1] - t[0]))

    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" xmlns="http://www.w3.org/2000/svg">']
    parts += _value_axes(series, ticks, y)
    for d, text in date_ticks(first, last, plot_w):
        parts.append(f'<line class="grid" x1="{x(d):.1f}" x2="{x(d):.1f}" y1="{TOP}" '
                     f'y2="{HEIGHT - BOTTOM}"/><text class="tick xtick" x="{x(d):.1f}" '
                     f'y="{HEIGHT - 8}" text-anchor="middle">{text}</text>')
    bars = [s for s in series if s.kind == "bar"]
    for i, s in enumerate(bars):
        parts.append(_bars(s, i, len(bars), x, y))
    for s in series:
        if s.kind == "line":
            pts = " ".join(f"{x(d):.1f},{y(v, s.axis):.1f}" for d, v in s.points)
            parts.append(f'<polyline data-series="{escape(s.name)}" points="{pts}" '
                         f'stroke="{s.color}"/>')
    parts += _latest_labels(series, x, y)
    parts.append("</svg>")
    return "".join(parts)


def _value_axes(series: Sequence[Series], ticks: dict[str, list[float] | None],
                y: Callable[[float, str], float]) -> list[str]:
    parts: list[str] = []
    for axis, anchor, tx in (("left", "end", LEFT - 6), ("right", "start", WIDTH - RIGHT + 6)):
        values = ticks[axis]
        if values is None:
            continue
        step = values[1] - values[0] if len(values) > 1 else 1.0
        for t in values:
            ty = y(t, axis)
            if axis == "left" or ticks["left"] is None:
                parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                             f'y1="{ty:.1f}" y2="{ty:.1f}"/>')
            parts.append(f'<text class="tick ytick {axis}" x="{tx}" y="{ty + 4:.1f}" '
                         f'text-anchor="{anchor}">{tick_label(t, step)}</text>')
        if values[0] < 0 < values[-1]:
            parts.append(f'<line class="zero" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                         f'y1="{y(0, axis):.1f}" y2="{y(0, axis):.1f}"/>')
        unit = next((s.unit for s in series if s.axis == axis and s.unit), "")
        if unit:
            ux = 4 if axis == "left" else WIDTH - 4
            parts.append(f'<text class="unit" x="{ux}" y="12" text-anchor='
                         f'"{"start" if axis == "left" else "end"}">{escape(unit)}</text>')
    return parts


def _latest_labels(series: Sequence[Series], x: Callable[[date], float],
                   y: Callable[[float, str], float]) -> list[str]:
    """The last value of each series at its last point, nudged apart vertically."""
    placed: list[tuple[float, str, Series]] = []
    for s in series:
        if not s.points:
            continue
        d, v = s.points[-1]
        text = s.fmt(v) if s.fmt else f"{v:,.2f}"
        placed.append((y(v, s.axis) - 8, text, s))
    placed.sort(key=lambda item: item[0])
    out, previous = [], -1e9
    for ty, text, s in placed:
        ty = min(max(ty, previous + 14, TOP + 10), HEIGHT - BOTTOM - 4)
        previous = ty
        lx = x(s.points[-1][0])
        out.append(f'<text class="latest" data-series="{escape(s.name)}" x="{lx:.1f}" '
                   f'y="{ty:.1f}" text-anchor="end" fill="{s.color}">{escape(text)}</text>')
    return out


def _bars(s: Series, i: int, n: int, x: Callable[[date], float],
          y: Callable[[float, str], float]) -> str:
    """One rect per observation, as wide as 80% of the closest spacing of the observations."""
    xs = [x(d) for d, _ in s.points]
    gaps = [b - a for a, b in zip(xs, xs[1:], strict=False) if b > a]
    slot = max(min(gaps, default=20.0) * 0.8, 1.0) / n
    zero = y(0.0, s.axis)
    rects = []
    for px, (_, v) in zip(xs, s.points, strict=True):
        top = min(y(v, s.axis), zero)
        rects.append(f'<rect x="{px + i * slot - slot * n / 2:.1f}" y="{top:.1f}" '
                     f'width="{slot:.1f}" height="{abs(zero - y(v, s.axis)):.1f}"/>')
    return f'<g data-series="{escape(s.name)}" fill="{s.color}">{"".join(rects)}</g>'


def legend(series: Sequence[Series]) -> str:
    items = "".join(
        f'<span><i style="background:{s.color}"></i>{escape(s.label)}'
        f'{" (right axis)" if s.axis == "right" else ""}</span>'
        for s in series
    )
    return f'<div class="legend">{items}</div>'
