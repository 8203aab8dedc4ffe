"""MOF JGB constant-maturity yields: the sample grid and the four files MOF publishes.

Formats follow FORMATS.md §2 byte for byte: CRLF, title row + header, `YYYY/M/D` (English)
or era dates `R8.6.30` (Japanese, cp932), `-` for tenors not yet issued and for the 1978–80
short-end gaps, Saturday rows until 1989-01, and the cache-note trailer on current-month files.
"""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache

import numpy as np

from .calendars import jp_business_mask
from .fred_paths import JGB_1Y, JGB_10Y, JGB_LONG_PREMIUM, daily
from .synth import anchored

TENORS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40)
FIRST = date(1974, 9, 24)
TENOR_START = {10: date(1986, 7, 5), 20: date(1986, 12, 1), 15: date(1991, 8, 30),
               30: date(1999, 9, 2), 25: date(2004, 3, 22), 40: date(2007, 11, 6)}
GAP_START = date(1978, 5, 22)
GAP_END = {1: date(1980, 8, 21), 2: date(1979, 8, 21), 3: date(1978, 8, 21)}
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")

EN_TITLE = "Interest Rate"
EN_HEADER = "Date,1Y,2Y,3Y,4Y,5Y,6Y,7Y,8Y,9Y,10Y,15Y,20Y,25Y,30Y,40Y"
EN_UNIT = "(Unit : %)"
EN_NOTE = ('"If you cannot download the latest csv data, please clear the browser\'s cache and '
           'download again."')
JA_TITLE = "国債金利情報"
JA_HEADER = "基準日,1年,2年,3年,4年,5年,6年,7年,8年,9年,10年,15年,20年,25年,30年,40年"
JA_UNIT = "(単位 : %)"
JA_NOTE = ("※最新のcsvデータがダウンロードできない場合、ご利用のブラウザにおいてキャッシュの削除を"
           "実施し再度ダウンロードください。")
EMPTY_ROW = "," * 15


@lru_cache(maxsize=1)
def grid() -> tuple[np.ndarray, np.ndarray]:
    """(quote-day ordinals, yields [n, 15] rounded to 3 decimals, NaN = `-`) up to HORIZON."""
    cal, level = daily("JGB-level", FIRST.isoformat())
    _, slope_noise = daily("JGB-slope", FIRST.isoformat())
    keep = jp_business_mask(cal)
    ords = cal[keep]
    y10 = anchored(JGB_10Y, ords) + level[keep]
    y1 = anchored(JGB_1Y, ords) + 0.6 * level[keep] + slope_noise[keep]
    prem = anchored(JGB_LONG_PREMIUM, ords)
    out = np.empty((len(ords), len(TENORS)))
    for j, t in enumerate(TENORS):
        if t <= 10:
            shape = (1 - np.exp(-t / 4.0)) / (1 - np.exp(-10 / 4.0))
            base = (1 - np.exp(-1 / 4.0)) / (1 - np.exp(-10 / 4.0))
            out[:, j] = y1 + (y10 - y1) * (shape - base) / (1 - base)
        else:
            out[:, j] = y10 + prem * {15: 0.45, 20: 0.75, 25: 0.93, 30: 1.0, 40: 0.97}[t]
    # Real JGB yields bottomed near -0.4 % (2016); compress the synthetic dips below -0.3 %.
    out = np.where(out < -0.3, -0.3 + 0.2 * (out + 0.3), out)
    out = np.round(out, 3)
    for t, start in TENOR_START.items():
        out[ords < start.toordinal(), TENORS.index(t)] = np.nan
    for t, end in GAP_END.items():
        gap = (ords >= GAP_START.toordinal()) & (ords <= end.toordinal())
        out[gap, TENORS.index(t)] = np.nan
    return ords, out


@cache
def _thousandths(k: int) -> str:
    s = f"{k / 1000:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _num(v: float) -> str:
    """`8.83`, `-0.157`, `2`: three decimals at most, trailing zeros dropped, `-` for missing."""
    return "-" if v != v else _thousandths(round(v * 1000))


def era_date(d: date) -> str:
    """`S49.9.24`, `H31.4.26`, `R1.5.7`: MOF's Japanese-era dates, first year written 1."""
    if d >= date(2019, 5, 1):
        return f"R{d.year - 2018}.{d.month}.{d.day}"
    if d >= date(1989, 1, 8):
        return f"H{d.year - 1988}.{d.month}.{d.day}"
    return f"S{d.year - 1925}.{d.month}.{d.day}"


@lru_cache(maxsize=1)
def _lines() -> tuple[list[str], list[str]]:
    """Every data row up to HORIZON, English and Japanese, rendered once per process."""
    ords, vals = grid()
    cells = [",".join(_num(v) for v in row) for row in vals.tolist()]
    en, ja = [], []
    for o, row in zip(ords.tolist(), cells, strict=True):
        d = date.fromordinal(o)
        en.append(f"{d.year}/{d.month}/{d.day},{row}")
        ja.append(f"{era_date(d)},{row}")
    return en, ja


def _rows(lo: int, hi: int, japanese: bool) -> list[str]:
    return _lines()[1 if japanese else 0][lo:hi]


def _crlf(lines: list[str], encoding: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _split(as_of: date) -> tuple[int, int, int]:
    """Row indexes: [0, a) history before this month, [a, b) this month up to as_of."""
    ords, _ = grid()
    a = int(np.searchsorted(ords, as_of.replace(day=1).toordinal()))
    b = int(np.searchsorted(ords, as_of.toordinal(), side="right"))
    return 0, a, b


def history_file(as_of: date, *, japanese: bool) -> bytes:
    """`jgbcme_all.csv` / `jgbcm_all.csv`: every quote day up to the end of the previous month."""
    _, a, _ = _split(as_of)
    if japanese:
        head = [f"{JA_TITLE},,,,,,,,,,,,,,,{JA_UNIT}", JA_HEADER]
        return _crlf(head + _rows(0, a, True), "cp932")
    head = [f"{EN_TITLE},,,,,,,,,,,,,,,{EN_UNIT}", EN_HEADER]
    return _crlf(head + _rows(0, a, False), "ascii")


def current_month_file(as_of: date, *, japanese: bool) -> bytes:
    """`jgbcme.csv` / `jgbcm.csv`: this month's quote days so far; header + trailer when none."""
    _, a, b = _split(as_of)
    if japanese:
        era = f"令和{as_of.year - 2018}年{as_of.month}月"
        head = [f"{JA_TITLE} ({era}),,,,,,,,,,,,,,,{JA_UNIT}", JA_HEADER]
        tail = [EMPTY_ROW, JA_NOTE + "," * 15]
        return _crlf(head + _rows(a, b, True) + tail, "cp932")
    title = f"{EN_TITLE} ({MONTHS_EN[as_of.month - 1]} {as_of.year})"
    head = [f"{title},,,,,,,,,,,,,,,{EN_UNIT}", EN_HEADER]
    tail = [EMPTY_ROW, EN_NOTE + "," * 15]
    return _crlf(head + _rows(a, b, False) + tail, "ascii")


def last_quote_day(as_of: date) -> date | None:
    """The newest quote day on or before as_of (for Last-Modified)."""
    ords, _ = grid()
    i = int(np.searchsorted(ords, as_of.toordinal(), side="right"))
    return date.fromordinal(int(ords[i - 1])) if i else None

