"""A plain-Python statement of the threshold rule, to test the SQL against (never its output).

Walk the series once, remembering the side each level is on and the run of observations on
the other side since it was left; a run becomes an event, dated on its first observation,
when it has `min_observations` and has gone `band` beyond the level or lasted `confirm_after`.
"""

from __future__ import annotations

from datetime import date


def events(series: list[tuple[date, float]], level: float, band: float,
           min_observations: int = 1, confirm_after: int = 20) -> list[tuple[date, str, date]]:
    """[(crossing date, 'up'|'down', confirmed on)] for one level."""
    if not series:
        return []
    above = series[0][1] >= level
    out: list[tuple[date, str, date]] = []
    start: int | None = None
    extreme = 0.0
    for i, (day, value) in enumerate(series):
        side = value >= level
        if side == above:
            start = None
            continue
        if start is None:
            start, extreme = i, value
        extreme = max(extreme, value) if side else min(extreme, value)
        count = i - start + 1
        beyond = extreme >= round(level + band, 9) if side else extreme < round(level - band, 9)
        if count >= min_observations and (beyond or count >= confirm_after):
            out.append((series[start][0], "up" if side else "down", day))
            above, start = side, None
    return out


def raw_crossings(series: list[tuple[date, float]], level: float) -> list[tuple[date, str]]:
    """Every crossing between consecutive observations, as the mart reported them before."""
    return [(d1, "up" if v1 >= level else "down")
            for (_, v0), (d1, v1) in zip(series, series[1:], strict=False)
            if (v0 >= level) != (v1 >= level)]


def lasting_crossings(series: list[tuple[date, float]], level: float,
                      days: int = 20) -> list[tuple[date, str]]:
    """Raw crossings after which the value stayed on the new side for `days` observations."""
    out = []
    for i in range(1, len(series) - days + 1):
        before, now = series[i - 1][1] >= level, series[i][1] >= level
        if before != now and all((v >= level) == now for _, v in series[i:i + days]):
            out.append((series[i][0], "up" if now else "down"))
    return out
