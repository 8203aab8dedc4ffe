"""MOF International Transactions in Securities: week.csv, montha1.csv, monthb3.csv (cp932).

Numbers are 100 million yen (億円), printed like the real files: thousands separators,
quoted when they carry one, with a trailing space (`"30,037 "`). Identities hold exactly:
net = acquisition - disposition, subtotal = equity net + long-term debt net,
total = subtotal + short-term net. Monthly values are the weeks spread over their days and
summed by month, and monthb3's all-investor triplet equals montha1's long-term debt columns.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import numpy as np

from .calendars import add_months
from .fred_paths import HORIZON
from .synth import alloc_integers, anchored, rng

FIRST_SUNDAY = date(2005, 1, 2)
FIRST_MONTH = (2005, 1)
MON_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
TITLE = "対外及び対内証券売買契約等の状況"
UNIT = "単位：億円"
SIDES = ("対外証券投資（居住者による対外証券投資）", "対内証券投資（非居住者による対内証券投資）")
GROUPS = ("株式・投資ファンド持分", "中長期債", '"株式・投資ファンド持分・中長期債\n小計"',
          "短期債", "合計")
# (side, instrument): acquisition level anchors (億円 per week), net drift anchors, net sd share
FLOW_MODEL = {
    ("out", "eq"): ([("2005-01-01", 8000), ("2026-11-30", 30000)], [("2005-01-01", 500)], 0.06),
    ("out", "lt"): ([("2005-01-01", 40000), ("2026-11-30", 117000)],
                    [("2005-01-01", 2000), ("2008-06-01", 500), ("2010-06-01", 4000),
                     ("2013-06-01", -1000), ("2016-06-01", 5000), ("2019-06-01", 3000),
                     ("2022-06-01", -8000), ("2023-06-01", 1000), ("2024-06-01", 2000),
                     ("2025-06-01", -1000), ("2026-11-30", 1500)], 0.08),
    ("out", "st"): ([("2005-01-01", 3000), ("2026-11-30", 18000)], [("2005-01-01", 0)], 0.1),
    ("in", "eq"): ([("2005-01-01", 200000), ("2026-11-30", 380000)], [("2005-01-01", 0)], 0.04),
    ("in", "lt"): ([("2005-01-01", 30000), ("2026-11-30", 76000)], [("2005-01-01", 1000)], 0.15),
    ("in", "st"): ([("2005-01-01", 20000), ("2026-11-30", 33000)], [("2005-01-01", 0)], 0.3),
}
INVESTORS = ("各部門計", "銀行等（銀行勘定）", "信託銀行（銀行勘定）",
             "銀行等及び信託銀行（信託勘定）",
             "生命保険会社", "損害保険会社", "投資信託委託会社等", "金融商品取引業者", "年金基金",
             "公的機関", "その他の金融機関", "事業法人・個人等")
INVESTOR_WEIGHTS = np.array([0.30, 0.05, 0.20, 0.12, 0.02, 0.12, 0.08, 0.03, 0.02, 0.04, 0.02])


@lru_cache(maxsize=1)
def weekly() -> tuple[np.ndarray, dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]]:
    """(week-start ordinals, {(side, instrument): (acquisition, disposition)}) to HORIZON."""
    starts = np.arange(FIRST_SUNDAY.toordinal(), HORIZON.toordinal(), 7, dtype=np.int64)
    n = len(starts)
    out = {}
    for (side, inst), (acq_a, net_a, sd) in FLOW_MODEL.items():
        g = rng(f"MOF-{side}-{inst}")
        acq = anchored(acq_a, starts, log=True) * np.exp(0.12 * g.standard_normal(n))
        net = anchored(net_a, starts) + sd * acq * g.standard_normal(n)
        net = np.clip(net, -0.8 * acq, 0.8 * acq)
        acq_i = np.round(acq).astype(np.int64)
        out[(side, inst)] = (acq_i, acq_i - np.round(net).astype(np.int64))
    return starts, out


def _month_index(ym: tuple[int, int]) -> int:
    return (ym[0] - FIRST_MONTH[0]) * 12 + ym[1] - FIRST_MONTH[1]


@lru_cache(maxsize=1)
def monthly() -> tuple[list[tuple[int, int]], dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]]:
    """Weeks spread evenly over their 7 days, summed by calendar month and rounded."""
    starts, flows = weekly()
    days = (starts[:, None] + np.arange(7)[None, :]).ravel()
    epoch = days - date(1970, 1, 1).toordinal()
    mkey = epoch.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    mkey = mkey - (FIRST_MONTH[0] - 1970) * 12
    n = int(mkey.max()) + 1
    months = [add_months(*FIRST_MONTH, i) for i in range(n)]
    out = {}
    for key, (acq, disp) in flows.items():
        a = np.bincount(mkey, weights=np.repeat(acq / 7, 7), minlength=n)
        d = np.bincount(mkey, weights=np.repeat(disp / 7, 7), minlength=n)
        out[key] = (np.round(a).astype(np.int64), np.round(d).astype(np.int64))
    return months, out


def _num(v: int) -> str:
    s = f"{v:,} "
    return f'"{s}"' if "," in s else s


def _values(flows: dict, i: int) -> list[int]:
    """The 22 values of one period: per side eq(a,d,n) lt(a,d,n) subtotal st(a,d,n) total."""
    vals = []
    for side in ("out", "in"):
        nets = {}
        for inst in ("eq", "lt", "st"):
            a, d = flows[(side, inst)][0][i], flows[(side, inst)][1][i]
            nets[inst] = int(a - d)
            vals += [int(a), int(d), nets[inst]]
            if inst == "lt":
                vals.append(nets["eq"] + nets["lt"])
        vals.append(nets["eq"] + nets["lt"] + nets["st"])
    return vals


def _header(lead: list[str], extra: list[str], extra_sub: list[str]) -> list[str]:
    k = len(lead)
    width = k + 22 + len(extra)
    row1 = [TITLE] + [""] * (width - 1)
    row2 = [""] * (width - 1) + [UNIT]
    row3 = lead[:1] + [""] * (k - 1) + [SIDES[0]] + [""] * 10 + [SIDES[1]] + [""] * 10 + extra
    groups = [GROUPS[0], "", "", GROUPS[1], "", "", GROUPS[2], GROUPS[3], "", "", GROUPS[4]]
    row4 = [""] * k + groups * 2 + [""] * len(extra)
    subs = ["取得", "処分", "ネット", "取得", "処分", "ネット", "ネット", "取得", "処分", "ネット",
            "ネット"]
    row5 = lead + subs * 2 + extra_sub
    return [",".join(r) for r in (row1, row2, row3, row4, row5)]


def _period(start: date) -> str:
    end = start + timedelta(days=6)
    head = f"{start.year}．{start.month}．{start.day}～"
    if end.year != start.year:
        return f"{head} {end.year}．{end.month}．{end.day}"
    return f"{head}{end.month}．{end.day}"


def _encode(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def published_weeks(as_of: date) -> int:
    """Weeks (Sunday–Saturday) are out on the Thursday after they end."""
    starts, _ = weekly()
    return int(np.searchsorted(starts + 6 + 5, as_of.toordinal(), side="right"))


def month_release(ym: tuple[int, int]) -> date:
    y, m = add_months(*ym, 1)
    d = date(y, m, 8)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def published_months(as_of: date) -> int:
    months, _ = monthly()
    return sum(1 for ym in months if month_release(ym) <= as_of)


def week_csv(as_of: date) -> bytes:
    starts, flows = weekly()
    lines = _header(["期間"], [], [])
    for i in range(published_weeks(as_of)):
        cells = [_period(date.fromordinal(int(starts[i])))] + [_num(v) for v in _values(flows, i)]
        lines.append(",".join(cells))
    return _encode(lines)


def _month_rows(as_of: date) -> tuple[list[tuple[int, int]], int]:
    """Rows Jan-2005 .. Dec of as_of's year (blank when unpublished), and how many are out."""
    months, _ = monthly()
    upto = _month_index((as_of.year, 12)) + 1
    return months[:upto], published_months(as_of)


def _lead(ym: tuple[int, int]) -> list[str]:
    y, m = ym
    return [str(y) if m == 1 else "", f"{m}月".translate(FULLWIDTH), MON_EN[m - 1]]


def montha1_csv(as_of: date) -> bytes:
    months, flows = monthly()
    rows, out = _month_rows(as_of)
    diff = ['"株式・投資ファンド持分・中長期債\n対外－対内"', '"合計\n対外－対内"']
    lines = _header(["年", "月", "Month"], ["差引", ""], diff)
    table = {}
    for i, ym in enumerate(rows):
        if i >= out:
            lines.append(",".join(_lead(ym) + [""] * 24))
            continue
        v = _values(flows, i)
        table[ym] = v
        lines.append(",".join(_lead(ym) + [_num(x) for x in v + [v[6] - v[17], v[10] - v[21]]]))
    for label, fy in (("年(1月～12月）", False), ("年度(4月～3月）", True)):
        for year in range(FIRST_MONTH[0], as_of.year + 1):
            span = [add_months(year, 4 if fy else 1, k) for k in range(12)]
            if not all(ym in table for ym in span):
                continue
            v = [sum(table[ym][j] for ym in span) for j in range(22)]
            tag = f"{year}{'FY' if fy else 'CY'}"
            lines.append(",".join([f"{year}{label}", "", tag]
                                  + [_num(x) for x in v + [v[6] - v[17], v[10] - v[21]]]))
    return _encode(lines)


def _investor_split(i: int, acq: int, disp: int) -> list[tuple[int, int]]:
    g = rng(f"MOF-investors-{i}")
    wa = INVESTOR_WEIGHTS * np.exp(0.15 * g.standard_normal(len(INVESTOR_WEIGHTS)))
    wd = wa * np.exp(0.12 * g.standard_normal(len(INVESTOR_WEIGHTS)))
    a = alloc_integers(acq, wa)
    d = alloc_integers(disp, wd)
    return [(int(x), int(y)) for x, y in zip(a, d, strict=True)]


def monthb3_csv(as_of: date) -> bytes:
    """Long-term debt by investor type: one (acquisition, disposition, net) triplet each."""
    _, flows = monthly()
    rows, out = _month_rows(as_of)
    width = 3 + 3 * len(INVESTORS)
    title = [f"{TITLE}（業種別）"] + [""] * (width - 1)
    sub = ["対外中長期債投資（居住者による対外中長期債投資）"] + [""] * (width - 1)
    unit = [""] * (width - 1) + [UNIT]
    labels = ["", "", ""] + [c for name in INVESTORS for c in (name, "", "")]
    cols = ["年", "月", "Month"] + ["取得", "処分", "ネット"] * len(INVESTORS)
    lines = [",".join(r) for r in (title, sub, unit, labels, cols)]
    acq_all, disp_all = flows[("out", "lt")]
    for i, ym in enumerate(rows):
        if i >= out:
            lines.append(",".join(_lead(ym) + [""] * (width - 3)))
            continue
        a, d = int(acq_all[i]), int(disp_all[i])
        parts = [(a, d)] + _investor_split(i, a, d)
        lines.append(",".join(_lead(ym) + [_num(x) for p in parts for x in (p[0], p[1],
                                                                           p[0] - p[1])]))
    return _encode(lines)


def newest_week_end(as_of: date) -> date | None:
    starts, _ = weekly()
    k = published_weeks(as_of)
    return date.fromordinal(int(starts[k - 1]) + 6) if k else None
