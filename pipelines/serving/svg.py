"""Inline SVG charts, drawn server-side: no script, no CDN, so the report works offline anywhere.

Lines are one `<polyline>` per series (one vertex per observation), bars one `<rect>` per
observation; a series may use the right-hand axis when its unit differs (BTC against USD bn).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

WIDTH, HEIGHT = 860, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 64, 16, 28


@dataclass(frozen=True)
class Series:
    name: str  # column name, e.g. ust_10y_pct
    label: str
    points: tuple[tuple[date, float], ...]
    color: str
    kind: str = "line"  # line | bar
    axis: str = "left"  # left | right


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi == lo:
        return [lo]
    step = (hi - lo) / (n - 1)
    return [lo + i * step for i in range(n)]


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}"


def _range(series: Sequence[Series], axis: str) -> tuple[float, float] | None:
    values = [v for s in series if s.axis == axis for _, v in s.points]
    if any(s.kind == "bar" for s in series if s.axis == axis):
        values.append(0.0)
    if not values:
        return None
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.05 or abs(hi) * 0.05 or 1.0
    floor = 0.0 if lo >= 0 else lo - pad  # an all-positive series never shows a negative axis
    return max(lo - pad, floor), hi + pad


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

    ranges = {a: _range(series, a) for a in ("left", "right")}

    def y(v: float, axis: str) -> float:
        lo, hi = ranges[axis] or (0.0, 1.0)
        return TOP + plot_h * (1 - (v - lo) / (hi - lo))

    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" xmlns="http://www.w3.org/2000/svg">']
    for axis, anchor, tx in (("left", "end", LEFT - 6), ("right", "start", WIDTH - RIGHT + 6)):
        rng = ranges[axis]
        if rng is None:
            continue
        for t in _ticks(*rng):
            ty = y(t, axis)
            if axis == "left":
                parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                             f'y1="{ty:.1f}" y2="{ty:.1f}"/>')
            parts.append(f'<text class="tick" x="{tx}" y="{ty + 4:.1f}" '
                         f'text-anchor="{anchor}">{_fmt(t)}</text>')
        lo, hi = rng
        if lo < 0 < hi:
            parts.append(f'<line class="zero" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                         f'y1="{y(0, axis):.1f}" y2="{y(0, axis):.1f}"/>')
    for d, anchor in ((min(days), "start"), (max(days), "end")):
        parts.append(f'<text class="tick" x="{x(d):.1f}" y="{HEIGHT - 8}" '
                     f'text-anchor="{anchor}">{d.isoformat()}</text>')
    bars = [s for s in series if s.kind == "bar"]
    for i, s in enumerate(bars):
        parts.append(_bars(s, i, len(bars), x, y))
    for s in series:
        if s.kind == "line":
            pts = " ".join(f"{x(d):.1f},{y(v, s.axis):.1f}" for d, v in s.points)
            parts.append(f'<polyline data-series="{escape(s.name)}" points="{pts}" '
                         f'stroke="{s.color}"/>')
    parts.append("</svg>")
    return "".join(parts)


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
