"""US Treasury TIC Major Foreign Holders: sample holdings and the three text files.

`slt_table5.txt` (FORMATS §3.1), `mfhhis01.txt` (§3.3, stacked yearly blocks with the
2000–2011 series-break columns and regional groups) and the frozen legacy `mfh.txt` (§3.2)
are all rendered from one monthly holdings table, so they agree on every shared month and
countries + All Other = Grand Total up to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import numpy as np

from .calendars import add_months
from .synth import anchored, ar1, rng

FIRST = (2000, 3)
LAST = (2031, 12)
MON = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: TIC release day by calendar month of release (the 2026 calendar, reused every year).
RELEASE_DAY = {1: 15, 2: 18, 3: 18, 4: 15, 5: 18, 6: 18, 7: 14, 8: 17, 9: 16, 10: 16, 11: 18,
               12: 15}
TABLE5_LINK = ("Link: https://ticdata.treasury.gov/resource-center/data-chart-center/tic/"
               "Documents/slt_table5.txt")
WIDTH = 14  # fields per line: the spreadsheet's width

# label, anchors (ISO date, billions), regional group of 2000–2011 (None = shown on its own)
COUNTRIES: list[tuple[str, list[tuple[str, float]], str | None]] = [
    ("Japan", [("2000-03-01", 318), ("2004-12-01", 690), ("2008-12-01", 626),
               ("2011-12-01", 1058), ("2013-12-01", 1183), ("2016-12-01", 1090),
               ("2019-12-01", 1155), ("2021-11-01", 1300), ("2022-12-01", 1076),
               ("2024-12-01", 1062), ("2025-12-01", 1185), ("2026-09-01", 1150)], None),
    ("China, Mainland", [("2000-03-01", 60), ("2008-12-01", 727), ("2011-12-01", 1152),
                         ("2013-11-01", 1317), ("2016-12-01", 1058), ("2019-12-01", 1070),
                         ("2022-12-01", 867), ("2024-12-01", 759), ("2025-12-01", 684),
                         ("2026-09-01", 650)], None),
    ("United Kingdom", [("2000-03-01", 70), ("2008-12-01", 131), ("2011-12-01", 114),
                        ("2016-12-01", 216), ("2019-12-01", 400), ("2022-12-01", 655),
                        ("2024-12-01", 723), ("2025-12-01", 866), ("2026-09-01", 895)], None),
    ("Belgium", [("2000-03-01", 27), ("2011-12-01", 135), ("2025-12-01", 477)], None),
    ("Canada", [("2000-03-01", 16), ("2011-12-01", 45), ("2025-12-01", 468)], None),
    ("Luxembourg", [("2000-03-01", 20), ("2011-12-01", 147), ("2025-12-01", 435)], None),
    ("Cayman Islands", [("2000-03-01", 18), ("2011-12-01", 120), ("2025-12-01", 421)], "carib"),
    ("France", [("2000-03-01", 30), ("2011-12-01", 45), ("2025-12-01", 369)], None),
    ("Ireland", [("2000-03-01", 5), ("2011-12-01", 95), ("2025-12-01", 341)], None),
    ("Taiwan", [("2000-03-01", 34), ("2011-12-01", 177), ("2025-12-01", 311)], None),
    ("Switzerland", [("2000-03-01", 24), ("2011-12-01", 142), ("2025-12-01", 294)], None),
    ("Singapore", [("2000-03-01", 30), ("2011-12-01", 75), ("2025-12-01", 278)], None),
    ("Hong Kong", [("2000-03-01", 40), ("2011-12-01", 122), ("2025-12-01", 268)], None),
    ("Norway", [("2000-03-01", 8), ("2011-12-01", 57), ("2025-12-01", 208)], None),
    ("India", [("2000-03-01", 3), ("2011-12-01", 44), ("2025-12-01", 183)], None),
    ("Brazil", [("2000-03-01", 9), ("2011-12-01", 227), ("2025-12-01", 169)], None),
    ("Saudi Arabia", [("2000-03-01", 15), ("2011-12-01", 90), ("2025-12-01", 150)], "oil"),
    ("Korea, South", [("2000-03-01", 27), ("2011-12-01", 47), ("2025-12-01", 141)], None),
    ("Israel", [("2000-03-01", 5), ("2011-12-01", 19), ("2025-12-01", 106)], None),
    ("Germany", [("2000-03-01", 60), ("2011-12-01", 61), ("2025-12-01", 103)], None),
    ("Bermuda", [("2000-03-01", 8), ("2011-12-01", 50), ("2025-12-01", 101)], "carib"),
    ("United Arab Emirates", [("2000-03-01", 6), ("2011-12-01", 30), ("2025-12-01", 96)], "oil"),
    ("Mexico", [("2000-03-01", 15), ("2011-12-01", 29), ("2025-12-01", 85)], None),
    ("Thailand", [("2000-03-01", 12), ("2011-12-01", 52), ("2025-12-01", 83)], None),
    ("Spain", [("2000-03-01", 20), ("2011-12-01", 24), ("2025-12-01", 74)], None),
    ("Australia", [("2000-03-01", 6), ("2011-12-01", 22), ("2025-12-01", 72)], None),
    ("Netherlands", [("2000-03-01", 12), ("2011-12-01", 22), ("2025-12-01", 70)], None),
    ("Kuwait", [("2000-03-01", 8), ("2011-12-01", 25), ("2025-12-01", 66)], "oil"),
    ("Italy", [("2000-03-01", 19), ("2011-12-01", 23), ("2025-12-01", 62)], None),
    ("Philippines", [("2000-03-01", 5), ("2011-12-01", 33), ("2025-12-01", 62)], None),
    ("Poland", [("2000-03-01", 3), ("2011-12-01", 29), ("2025-12-01", 61)], None),
    ("Sweden", [("2000-03-01", 8), ("2011-12-01", 29), ("2025-12-01", 50)], None),
    ("Peru", [("2000-03-01", 1), ("2011-12-01", 8), ("2025-12-01", 45)], None),
    ("Colombia", [("2000-03-01", 3), ("2011-12-01", 24), ("2025-12-01", 44)], None),
    ("Chile", [("2000-03-01", 3), ("2011-12-01", 23), ("2025-12-01", 40)], None),
    ("Russia", [("2000-03-01", 3), ("2010-10-01", 176), ("2013-12-01", 138),
                ("2018-03-01", 96), ("2018-07-01", 15), ("2025-12-01", 0.1)], None),
    ("Turkey", [("2000-03-01", 9), ("2011-12-01", 32), ("2025-12-01", 20)], None),
    ("Other oil exporters", [("2000-03-01", 17), ("2008-12-01", 100), ("2011-12-01", 110),
                             ("2025-12-01", 60)], "oil"),
    ("Other Caribbean centres", [("2000-03-01", 11), ("2008-12-01", 60),
                                 ("2011-12-01", 57), ("2025-12-01", 40)], "carib"),
    ("rest of world", [("2000-03-01", 100), ("2011-12-01", 170), ("2025-12-01", 430)], None),
]
HIDDEN = {"Other oil exporters", "Other Caribbean centres", "rest of world"}
GROUP_LABEL = {"oil": "Oil Exporters 3/", "carib": "Carib Bnkng Ctrs 4/"}
OFFICIAL_SHARE = [("2000-03-01", 0.60), ("2008-12-01", 0.75), ("2011-12-01", 0.72),
                  ("2016-12-01", 0.64), ("2020-12-01", 0.56), ("2025-12-01", 0.42)]
BILLS_SHARE = [("2000-03-01", 0.25), ("2008-12-01", 0.30), ("2011-12-01", 0.10),
               ("2025-12-01", 0.10)]


@dataclass(frozen=True)
class Holdings:
    """Monthly holdings (billions, unrounded) from Mar-2000 to LAST, one array per row label."""

    months: list[tuple[int, int]]
    by_country: dict[str, np.ndarray]
    official: np.ndarray
    bills: np.ndarray

    def index(self, ym: tuple[int, int]) -> int:
        return (ym[0] - FIRST[0]) * 12 + ym[1] - FIRST[1]

    @property
    def total(self) -> np.ndarray:
        return np.sum(list(self.by_country.values()), axis=0)


@lru_cache(maxsize=1)
def holdings() -> Holdings:
    n = (LAST[0] - FIRST[0]) * 12 + LAST[1] - FIRST[1] + 1
    months = [add_months(*FIRST, i) for i in range(n)]
    ords = np.array([date(y, m, 1).toordinal() for y, m in months])
    by_country = {}
    for label, anchors, _ in COUNTRIES:
        noise = ar1(rng(f"TIC-{label}"), n, 0.85, 0.012)
        by_country[label] = anchored(anchors, ords, log=True) * np.exp(noise)
    total = np.sum(list(by_country.values()), axis=0)
    official = total * anchored(OFFICIAL_SHARE, ords) * np.exp(ar1(rng("TIC-off"), n, 0.8, 0.01))
    bills = official * anchored(BILLS_SHARE, ords) * np.exp(ar1(rng("TIC-bills"), n, 0.8, 0.05))
    return Holdings(months, by_country, official, bills)


def release_date(ym: tuple[int, int]) -> date:
    """When TIC publishes month ym: mid-month two months later, moved off weekends."""
    y, m = add_months(ym[0], ym[1], 2)
    d = date(y, m, RELEASE_DAY[m])
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def latest_month(as_of: date) -> tuple[int, int]:
    """The newest month published on or before as_of."""
    ym = (as_of.year, as_of.month)
    while release_date(ym) > as_of:
        ym = add_months(*ym, -1)
    return ym


def _r1(v: float) -> float:
    return round(float(v) + 0.0, 1)


def _short(v: float) -> str:
    """mfhhis01 style: one decimal at most, no trailing zero (`1200`, `866`, `1185.5`)."""
    s = f"{_r1(v):.1f}"
    return s[:-2] if s.endswith(".0") else s


def _line(fields: list[str]) -> str:
    return "\t".join(fields + [""] * (WIDTH - len(fields)))


def _quoted(label: str) -> str:
    if "," in label or '"' in label:
        return '"' + label.replace('"', '""') + '"'
    return label


def _blank() -> str:
    return "\t" * (WIDTH - 1)


def table5(as_of: date) -> bytes:
    """`slt_table5.txt`: the latest 13 months, newest first, tab-delimited, CRLF, bare labels."""
    h = holdings()
    last = latest_month(as_of)
    cols = [h.index(add_months(*last, -k)) for k in range(13)]
    shown = [c for c in h.by_country if c not in HIDDEN]
    shown.sort(key=lambda c: -h.by_country[c][cols[0]])
    shown = [c for c in shown if h.by_country[c][cols[0]] >= 30][:35]
    lines = [_line(["Table 5: Major Foreign Holders of Treasury Securities"]),
             _line(["Holdings at end of time period"]), _line(["Billions of dollars"]),
             _line([TABLE5_LINK]), _blank(),
             _line(["Country"] + [f"{h.months[c][0]:04d}-{h.months[c][1]:02d}" for c in cols])]
    total = h.total
    for label in shown:
        lines.append(_line([label] + [f"{_r1(h.by_country[label][c]):.1f}" for c in cols]))
    rest = [total[c] - sum(h.by_country[s][c] for s in shown) for c in cols]
    lines.append(_line(["All Other"] + [f"{_r1(v):.1f}" for v in rest]))
    lines.append(_line(["Grand Total"] + [f"{_r1(total[c]):.1f}" for c in cols]))
    off = [_r1(h.official[c]) for c in cols]
    bills = [_r1(h.bills[c]) for c in cols]
    lines.append(_line(["Of Which: Foreign Official"] + [f"{v:.1f}" for v in off]))
    lines.append(_line(["Of Which: Foreign Official Treasury Bills"] + [f"{v:.1f}" for v in bills]))
    lines.append(_line(["Of Which: Foreign Official T-Bonds & Notes"]
                       + [f"{o - b:.1f}" for o, b in zip(off, bills, strict=True)]))
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def _display_label(label: str, year: int) -> str:
    """The labels' quirks by era: footnote marks, Belgium-Luxembourg, stray spaces."""
    if label == "United Kingdom" and year <= 2011:
        return "United Kingdom 2/"
    if label == "Belgium":
        return {2000: "Belgium-Luxembourg ", 2001: "Belgium-Luxembourg", 2002: "Belgium  5/"}.get(
            year, label)
    if label == "Korea, South" and year <= 2003:
        return "Korea, South "
    if label == "Spain" and year <= 2002:
        return "Spain "
    return label


def _block_columns(year: int) -> list[tuple[tuple[int, int], bool]]:
    """(month, is_old_series) columns of one yearly block, newest first."""
    if year == 2000:
        return [((2000, m), False) for m in range(12, 2, -1)] + [((2000, 3), True)]
    cols = [((year, m), False) for m in range(12, 0, -1)]
    if 2002 <= year <= 2011:
        cols.insert(7, ((year, 6), True))
    return cols


def _series_rows(year: int) -> list[str]:
    roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII"]
    if year == 2000:
        a = [""] * 10 + ["Series 6/", "Series"]
        b = [""] * 10 + ["  II", "I"]
        return [_line(a), _line(b)]
    new = year - 1999
    a = [""] * 7 + [f"Series {year - 1995}/", "Series"]
    b = [""] * 7 + [f" {roman[new - 1]}", f" {roman[new - 2]}"]
    if year == 2011:
        a[1:3] = ["Series 17/", "Series"]
        b[1:3] = [" XIII", " XII"]
    return [_line(a), _line(b)]


def _block(h: Holdings, year: int, newest: bool) -> list[str]:
    cols = _block_columns(year)
    idx = [h.index(ym) for ym, _ in cols]
    old = np.array([1.0 + (0.04 if is_old else 0.0) for _, is_old in cols])
    grouped = year <= 2011
    rows: dict[str, np.ndarray] = {}
    for label, _, group in COUNTRIES:
        vals = h.by_country[label][idx] * old
        if grouped and group:
            key = GROUP_LABEL[group]
            rows[key] = rows.get(key, 0) + vals
        elif label not in HIDDEN:
            if label == "Luxembourg" and year <= 2001:
                rows["Belgium"] = rows["Belgium"] + vals
                continue
            rows[label] = vals
    limit = 19 if year <= 2001 else 28 if year <= 2006 else 35
    order = sorted(rows, key=lambda k: -rows[k][0])
    shown = [k for k in order if rows[k][0] >= 1.0][:limit]
    total = h.total[idx] * old
    out = []
    if 2000 == year or 2002 <= year <= 2011:
        out += _series_rows(year)
    out.append(_line([""] + [MON[m - 1] for (_, m), _ in cols]))
    out.append(_line(["Country"] + [str(y) for (y, _), _ in cols]))
    out.append(_line([""] + ["------"] * len(cols)))
    if newest:
        out.append(_blank())
    for k in shown:
        out.append(_line([_quoted(_display_label(k, year))] + [_short(v) for v in rows[k]]))
    rest = total - sum(rows[k] for k in shown)
    out.append(_line(["All Other"] + [_short(v) for v in rest]))
    out.append(_line(["Grand Total"] + [_short(v) for v in total]))
    off = [_r1(v) for v in h.official[idx] * old]
    bills = [_r1(v) for v in h.bills[idx] * old]
    pad = ("  ", "    ") if year <= 2022 else ("", "")
    out += [_blank(), _line(["Of which:"]),
            _line([pad[0] + "For. Official"] + [_short(v) for v in off]),
            _line([pad[1] + "Treasury Bills"] + [_short(v) for v in bills]),
            _line([pad[1] + "T-Bonds & Notes"] + [_short(o - b) for o, b in zip(off, bills,
                                                                               strict=True)]),
            _blank(), _blank()]
    return out


FOOTNOTES = [
    '"1/  The data in this table include foreign holdings of U.S. Treasury marketable and '
    'non-marketable bills, bonds, and"',
    "     notes reported monthly under the Treasury International Capital (TIC) reporting "
    "system. The data are collected ",
    "     primarily from U.S.-based custodians.",
    "",
    "2/   United Kingdom includes Channel Islands and Isle of Man.  This aggregate of countries "
    "was discontinued after data for February 2016.",
    "",
    '"3/   Oil exporters include Ecuador, Venezuela, Indonesia, Bahrain, Iran, Iraq, Kuwait, '
    'Oman, Qatar, Saudi Arabia, the "',
    '"     United Arab Emirates, Algeria, Gabon, Libya, and Nigeria. This aggregate of countries '
    'was discontinued after data for February 2016."',
    "",
    '"4/   Caribbean Banking Centers include Bahamas, Bermuda, Cayman Islands, Netherlands '
    'Antilles, and Panama. Beginning with"',
    '"     new series for June 2006, also includes British Virgin Islands. This aggregate of '
    'countries was discontinued after data for February 2016."',
    "",
    '"5/   Prior to June 2002, the Belgium line in this table includes holdings for both Belgium '
    'and Luxembourg."',
]
MONTHS_LONG = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


def _long(d: date) -> str:
    return f"{MONTHS_LONG[d.month - 1]} {d.day}, {d.year}"


def history_last_year(as_of: date) -> int:
    """mfhhis01 gains year Y when January of Y+1 is published (the annual revision)."""
    return latest_month(as_of)[0] - 1


def mfhhis01(as_of: date) -> bytes:
    """`mfhhis01.txt`: yearly blocks newest first from the last complete year back to 2000."""
    h = holdings()
    last_year = history_last_year(as_of)
    stamp = release_date((last_year + 1, 1))
    lines = [_line(["", "", "", "MAJOR FOREIGN HOLDERS OF TREASURY SECURITIES"]),
             _line(["", "", "", "", "    (in billions of dollars)"]),
             _line(["", "", "", "", "HOLDINGS 1/ AT END OF PERIOD"]), _blank(), _blank()]
    for year in range(last_year, 1999, -1):
        lines += _block(h, year, year == last_year)
    lines += [_line(["Department of the Treasury/Federal Reserve Board"]),
              _line([f"{stamp.month}/{stamp.day}/{stamp.year % 100:02d}"])]
    jan = release_date((stamp.year - 1, 11))
    for year in range(last_year, 2012, -1):
        when = stamp if year == last_year else jan if year >= last_year - 2 else release_date(
            (year + 2, 1))
        lines.append(_line([f'"({year} revised {_long(when)})"']))
    for year in (2011, 2010, 2007, 2006):
        lines.append(_line([f'"({year} revised August 15, 2018)"']))
    lines += [_blank(), _line(["*     Less than $50 million."]), _blank(), _blank()]
    lines += [_line([f]) if f else _blank() for f in FOOTNOTES]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


LEGACY_LAST = (2023, 1)


def legacy_mfh(as_of: date) -> bytes:
    """The frozen fixed-width `/Publish/mfh.txt`, stuck at January 2023 data."""
    h = holdings()
    last = min(latest_month(as_of), LEGACY_LAST)
    cols = [h.index(add_months(*last, -k)) for k in range(13)]
    shown = sorted((c for c in h.by_country if c not in HIDDEN),
                   key=lambda c: -h.by_country[c][cols[0]])[:34]
    total = h.total

    def row(label: str, vals: list[float]) -> str:
        return f"{label:<22}" + "".join(f"{_r1(v):7.1f}" for v in vals)

    lines = [" MAJOR FOREIGN HOLDERS OF TREASURY SECURITIES", " (in billions of dollars)",
             " HOLDINGS 1/ AT END OF PERIOD", "",
             " " * 22 + "".join(f"{MON[h.months[c][1] - 1]:>7}" for c in cols),
             f"{' Country':<22}" + "".join(f"{h.months[c][0]:>7}" for c in cols),
             " " * 22 + "".join(f"{'----':>7}" for _ in cols)]
    for label in shown:
        lines.append(row(label, [h.by_country[label][c] for c in cols]))
    rest = [total[c] - sum(h.by_country[s][c] for s in shown) for c in cols]
    lines.append(row("All Other", rest))
    lines.append(row("Grand Total", [total[c] for c in cols]))
    off = [_r1(h.official[c]) for c in cols]
    bills = [_r1(h.bills[c]) for c in cols]
    lines += ["", "Of which:", row(" For. Official", off), row(" Treasury Bills", bills),
              row(" T-Bonds & Notes", [o - b for o, b in zip(off, bills, strict=True)]), ""]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def japan_monthly() -> tuple[list[tuple[int, int]], np.ndarray]:
    """Japan's holdings (billions, unrounded) by month, for FRED's FOR*42609 series."""
    h = holdings()
    return h.months, h.by_country["Japan"]
