"""FRED sample series: observations, ALFRED-style versions and series metadata.

Each series is built once over the whole horizon (versions with real-time start/end as
ordinals), then cut at as_of: a version whose real-time start is after as_of does not exist
yet, and the version it would have replaced stays open-ended. Monthly OECD and TIC series get
a few revisions (their vintages); the others are never revised, so their only version starts
on the day the observation was published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache

import numpy as np

from . import mof_jgb, tic
from .calendars import MAX_ORDINAL, add_months, iso, ordinals, us_holiday_mask, weekday_of
from .fred_paths import HORIZON, JPY_3M, daily
from .synth import anchored, ar1, rng

#: From this real-time date FRED's API prints values with 10 decimals (FORMATS §1.2).
TEN_DECIMALS_FROM = date(2026, 7, 20).toordinal()
NSA = ("Not Seasonally Adjusted", "NSA")
PCT = ("Percent", "%")
MUSD = ("Millions of U.S. Dollars", "Mil. of U.S. $")


@dataclass(frozen=True)
class Spec:
    """What FRED says about a series, plus how the sample generates it."""

    id: str
    title: str
    start: str
    kind: str  # "bday" | "7day" | "weekly" | "monthly"
    frequency: tuple[str, str]
    units: tuple[str, str]
    fmt: str
    vintaged: bool = False
    popularity: int = 50


def _h15(tenor: str) -> str:
    return (f"Market Yield on U.S. Treasury Securities at {tenor} Constant Maturity, "
            "Quoted on an Investment Basis")


DAILY = ("Daily", "D")
DAILY7 = ("Daily, 7-Day", "D")
WEEKLY_WED = ("Weekly, As of Wednesday", "W")
MONTHLY = ("Monthly", "M")
SPECS = [
    Spec("DGS2", _h15("2-Year"), "1976-06-01", "bday", DAILY, PCT, "%.2f", popularity=80),
    Spec("DGS5", _h15("5-Year"), "1962-01-02", "bday", DAILY, PCT, "%.2f", popularity=75),
    Spec("DGS10", _h15("10-Year"), "1962-01-02", "bday", DAILY, PCT, "%.2f", popularity=98),
    Spec("DGS30", _h15("30-Year"), "1977-02-15", "bday", DAILY, PCT, "%.2f", popularity=78),
    Spec("DGS3MO", _h15("3-Month"), "1981-09-01", "bday", DAILY, PCT, "%.2f", popularity=80),
    Spec("DFF", "Federal Funds Effective Rate", "1954-07-01", "7day", DAILY7, PCT, "%.2f",
         popularity=90),
    Spec("SOFR", "Secured Overnight Financing Rate", "2018-04-03", "bday", DAILY, PCT, "%.2f",
         popularity=85),
    Spec("DEXJPUS", "Japanese Yen to U.S. Dollar Spot Exchange Rate", "1971-01-04", "bday",
         DAILY, ("Japanese Yen to One U.S. Dollar", "Yen to 1 U.S. $"), "%.2f", popularity=82),
    Spec("CBBTCUSD", "Coinbase Bitcoin", "2014-12-01", "7day", DAILY7,
         ("U.S. Dollars", "U.S. $"), "%.2f", popularity=84),
    Spec("WALCL", "Assets: Total Assets: Total Assets (Less Eliminations from Consolidation): "
         "Wednesday Level", "2002-12-18", "weekly", WEEKLY_WED, MUSD, "%.1f", popularity=92),
    Spec("WDTGAL", "Liabilities and Capital: Liabilities: Deposits with F.R. Banks, Other Than "
         "Reserve Balances: U.S. Treasury, General Account: Wednesday Level", "1986-01-01",
         "weekly", WEEKLY_WED, MUSD, "%.1f", popularity=70),
    Spec("WTREGEN", "Liabilities and Capital: Liabilities: Deposits with F.R. Banks, Other Than "
         "Reserve Balances: U.S. Treasury, General Account: Week Average", "1986-01-08",
         "weekly", ("Weekly, Ending Wednesday", "W"), MUSD, "%.1f", popularity=75),
    Spec("RRPONTSYD", "Overnight Reverse Repurchase Agreements: Treasury Securities Sold by the "
         "Federal Reserve in the Temporary Open Market Operations", "2003-02-07", "bday", DAILY,
         ("Billions of U.S. Dollars", "Bil. of U.S. $"), "%.3f", popularity=88),
    Spec("IR3TIB01JPM156N", "Interest Rates: 3-Month or 90-Day Rates and Yields: Interbank "
         "Rates: Total for Japan", "2002-04-01", "monthly", MONTHLY, PCT, "%.18f", True, 40),
    Spec("IRLTLT01JPM156N", "Interest Rates: Long-Term Government Bond Yields: 10-Year: Main "
         "(Including Benchmark) for Japan", "1989-01-01", "monthly", MONTHLY, PCT, "%.18f",
         True, 55),
    Spec("IRSTCI01JPM156N", "Interest Rates: Immediate Rates (< 24 Hours): Call Money/Interbank "
         "Rate: Total for Japan", "1985-07-01", "monthly", MONTHLY, PCT, "%.18f", True, 35),
    Spec("FORLTTREASNET42609", "Foreign Net Transactions of U.S. Long-Term Treasury Securities: "
         "Japan", "1985-01-01", "monthly", MONTHLY, MUSD, "%.0f", True, 20),
    Spec("FORSTTREASNET42609", "Foreign Net Transactions of U.S. Short-Term Treasury Securities: "
         "Japan", "2003-03-01", "monthly", MONTHLY, MUSD, "%.0f", True, 15),
]
SPEC_BY_ID = {s.id: s for s in SPECS}


@dataclass(frozen=True)
class Versions:
    """One row per (observation, value, real-time interval), sorted by date then start."""

    obs: np.ndarray  # observation date ordinals
    start: np.ndarray  # real-time start ordinals
    end: np.ndarray  # real-time end ordinals (MAX_ORDINAL = still current)
    text: np.ndarray  # value as the API prints it ("." = missing), dtype object
    csv: np.ndarray  # value as fredgraph prints it ("" = missing), dtype object


@dataclass(frozen=True)
class FredSeries:
    spec: Spec
    versions: Versions  # cut at as_of
    last_updated: str

    @property
    def current(self) -> tuple[np.ndarray, np.ndarray]:
        """(dates, fredgraph texts) of the current vintage."""
        cur = self.versions.end == MAX_ORDINAL
        return self.versions.obs[cur], self.versions.csv[cur]


def _fmt(fmt: str, vals: np.ndarray) -> list[str]:
    return ["" if v != v else fmt % v for v in vals.tolist()]


def _weekly_level(spec_id: str, ords: np.ndarray) -> np.ndarray:
    g = rng(spec_id)
    n = len(ords)
    if spec_id == "WALCL":
        anchors = [("2002-12-18", 719542), ("2007-08-01", 870000), ("2008-09-10", 905000),
                   ("2008-12-17", 2256000), ("2009-06-01", 2050000), ("2010-11-01", 2300000),
                   ("2012-01-01", 2920000), ("2014-10-29", 4490000), ("2017-10-01", 4460000),
                   ("2019-09-01", 3760000), ("2020-03-11", 4360000), ("2020-06-10", 7170000),
                   ("2022-04-13", 8965000), ("2023-03-08", 8340000), ("2023-03-22", 8730000),
                   ("2024-06-01", 7230000), ("2025-06-18", 6680000), ("2025-12-03", 6540000),
                   ("2026-08-05", 6650000), ("2026-11-30", 6620000)]
        return np.round(anchored(anchors, ords, log=True) * np.exp(ar1(g, n, 0.7, 0.004)))
    tga = [("1986-01-01", 4000), ("2008-09-10", 6000), ("2008-10-22", 480000),
           ("2009-06-01", 150000), ("2011-08-03", 40000), ("2012-06-01", 80000),
           ("2015-10-28", 60000), ("2015-11-30", 300000), ("2019-06-01", 320000),
           ("2020-07-22", 1800000), ("2021-09-01", 200000), ("2022-04-27", 950000),
           ("2023-06-01", 50000), ("2023-10-01", 800000), ("2025-07-01", 300000),
           ("2025-09-10", 850000), ("2026-11-30", 820000)]
    base = anchored(tga, ords, log=True) * np.exp(ar1(rng("TGA"), n, 0.6, 0.12))
    if spec_id == "WTREGEN":
        base = base * np.exp(ar1(g, n, 0.3, 0.03))
    return np.round(base)


def _rrp(ords: np.ndarray, raw_noise: np.ndarray, g: np.random.Generator) -> np.ndarray:
    anchors = [("2003-02-07", 18), ("2008-12-01", 60), ("2009-06-01", 2), ("2013-09-23", 30),
               ("2014-06-30", 250), ("2015-12-31", 400), ("2016-06-01", 120), ("2018-01-01", 5),
               ("2021-03-01", 1), ("2021-06-30", 990), ("2021-12-31", 1900), ("2022-09-30", 2400),
               ("2023-06-01", 2250), ("2024-01-01", 700), ("2024-06-28", 450),
               ("2024-12-31", 300), ("2025-04-01", 100), ("2025-08-01", 30), ("2025-10-01", 5),
               ("2026-11-30", 3)]
    v = np.round(anchored(anchors, ords, log=True) * np.exp(raw_noise), 3)
    u = g.random(len(ords))
    v[(v < 1) & (u < 0.3)] = 0.0
    no_op = (ords >= date(2009, 1, 1).toordinal()) & (ords < date(2013, 9, 23).toordinal())
    v[no_op & (u > 0.7)] = np.nan
    return v


def _daily_versions(spec: Spec) -> tuple[np.ndarray, np.ndarray]:
    """(dates, values with NaN = missing) for the daily and weekly series, full horizon."""
    if spec.kind == "weekly":
        cal = ordinals(date.fromisoformat(spec.start), HORIZON)
        ords = cal[weekday_of(cal) == 2]
        return ords, _weekly_level(spec.id, ords)
    g = rng(spec.id + "-gaps")
    if spec.id == "RRPONTSYD":
        cal = ordinals(date.fromisoformat(spec.start), HORIZON)
        lvl = _rrp(cal, ar1(rng(spec.id), len(cal), 0.9, 0.1), g)
    else:
        cal, lvl = daily(spec.id, spec.start)
        if spec.id not in {"DEXJPUS", "CBBTCUSD"}:
            lvl = np.clip(lvl, 0.0, None)
    decimals = 3 if spec.fmt == "%.3f" else 2
    vals = np.round(lvl, decimals)
    hol = us_holiday_mask(cal)
    wd = weekday_of(cal)
    if spec.kind == "7day":
        if spec.id == "DFF":  # weekends and holidays carry the previous business day's rate
            closed = (wd >= 5) | hol
            idx = np.where(~closed, np.arange(len(cal)), 0)
            np.maximum.accumulate(idx, out=idx)
            vals = vals[idx]
        else:
            vals[g.random(len(cal)) < 0.001] = np.nan
        return cal, vals
    keep = wd < 5
    vals[hol] = np.nan
    return cal[keep], vals[keep]


def _monthly_values(spec: Spec, months: list[tuple[int, int]]) -> np.ndarray:
    ords = np.array([date(y, m, 1).toordinal() for y, m in months])
    g = rng(spec.id)
    n = len(months)
    if spec.id == "IR3TIB01JPM156N":
        return np.round(np.clip(anchored(JPY_3M, ords) + ar1(g, n, 0.8, 0.01), 0.01, None), 5)
    if spec.id in {"IRLTLT01JPM156N", "IRSTCI01JPM156N"}:
        q_ords, grid = mof_jgb.grid()
        col = grid[:, 9] if spec.id == "IRLTLT01JPM156N" else grid[:, 0]
        month_key = _month_keys(q_ords)
        out = np.empty(n)
        for i, (y, m) in enumerate(months):
            sel = col[month_key == y * 12 + m - 1]
            out[i] = np.nanmean(sel) if len(sel) else np.nan
        if spec.id == "IRSTCI01JPM156N":
            out = np.clip(out - 0.1, -0.08, None)
        return np.round(out, 5)
    if spec.id == "FORLTTREASNET42609":
        t_months, japan = tic.japan_monthly()
        pos = {ym: i for i, ym in enumerate(t_months)}
        out = g.normal(500, 3000, n)
        for i, ym in enumerate(months):
            j = pos.get(ym)
            if j:
                out[i] = 800 * (japan[j] - japan[j - 1]) + g.normal(0, 2500)
        return np.round(out)
    return np.round(g.normal(0, 2500, n))  # FORSTTREASNET42609


def _month_keys(ords: np.ndarray) -> np.ndarray:
    """year * 12 + month - 1 for each ordinal."""
    days = ords.astype(np.int64) - date(1970, 1, 1).toordinal()
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months + 1970 * 12


def monthly_release(spec: Spec, ym: tuple[int, int]) -> date:
    """OECD: ~2 months late, mid-month. TIC series: the TIC release date."""
    if spec.id.startswith("FOR"):
        return tic.release_date(ym)
    y, m = add_months(ym[0], ym[1], 2)
    d = date(y, m, 12)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


@cache
def _master(series_id: str) -> Versions:
    """All versions up to HORIZON; cut per as_of by `_cut`."""
    spec = SPEC_BY_ID[series_id]
    if spec.kind != "monthly":
        ords, vals = _daily_versions(spec)
        csv = np.array(_fmt(spec.fmt, vals), dtype=object)
        start = ords + (1 if spec.kind == "weekly" else 0)
        return _versions(ords, start, np.full(len(ords), MAX_ORDINAL), vals, csv, spec)
    s = date.fromisoformat(spec.start)
    months = [(s.year, s.month)]
    while months[-1] < (HORIZON.year, HORIZON.month):
        months.append(add_months(*months[-1], 1))
    vals = _monthly_values(spec, months)
    rel = [monthly_release(spec, ym).toordinal() for ym in months]
    g = rng(spec.id + "-revisions")
    obs, start, value = [], [], []
    scale = 0.02 if spec.units == PCT else 400.0
    for i, ym in enumerate(months):
        o = date(*ym, 1).toordinal()
        v0 = vals[i]
        revised = [(rel[i], v0)]
        for lag, p in ((1, 0.25), (2, 0.1)):
            if i + lag < len(months) and g.random() < p:
                revised.append((rel[i + lag], round(revised[-1][1] + g.normal(0, scale), 5)))
        for st, v in revised:
            obs.append(o)
            start.append(st)
            value.append(v)
    obs_a, start_a, val_a = np.array(obs), np.array(start), np.array(value)
    end_a = np.full(len(obs_a), MAX_ORDINAL)
    same = obs_a[1:] == obs_a[:-1]
    end_a[:-1][same] = start_a[1:][same] - 1
    csv = np.array(_fmt(spec.fmt, val_a), dtype=object)
    return _versions(obs_a, start_a, end_a, val_a, csv, spec)


def _versions(obs, start, end, vals, csv, spec: Spec) -> Versions:
    text = np.array([c if c else "." for c in csv], dtype=object)
    if spec.kind != "monthly":
        late = (start >= TEN_DECIMALS_FROM) & ~np.isnan(vals)
        text[late] = [f"{v:.10f}" for v in vals[late].tolist()]
    return Versions(obs, start, end, text, csv)


def _cut(v: Versions, as_of: date) -> Versions:
    """What was known at as_of: later versions vanish, the ones they replaced stay open."""
    a = as_of.toordinal()
    keep = v.start <= a
    end = np.where(v.end >= a, MAX_ORDINAL, v.end)[keep]
    return Versions(v.obs[keep], v.start[keep], end, v.text[keep], v.csv[keep])


def _st_louis(d: date, hh: int, mm: int, ss: int) -> str:
    """`2026-08-06 15:17:03-05`: St. Louis local time with an hours-only offset."""
    dst_start = date(d.year, 3, 8) + timedelta(days=(6 - date(d.year, 3, 8).weekday()) % 7)
    dst_end = date(d.year, 11, 1) + timedelta(days=(6 - date(d.year, 11, 1).weekday()) % 7)
    off = "-05" if dst_start <= d < dst_end else "-06"
    return f"{datetime.combine(d, time(hh, mm, ss)):%Y-%m-%d %H:%M:%S}{off}"


@lru_cache(maxsize=8)
def build(as_of: date) -> dict[str, FredSeries]:
    """Every sample series as known at as_of."""
    out = {}
    for spec in SPECS:
        v = _cut(_master(spec.id), as_of)
        newest = date.fromordinal(int(v.start.max())) if len(v.start) else as_of
        seed = sum(map(ord, spec.id))
        hh = 15 if spec.kind in ("bday", "7day") else 8 if spec.kind == "monthly" else 16
        out[spec.id] = FredSeries(spec, v, _st_louis(newest, hh, seed % 60, (seed * 7) % 60))
    return out


def vintage_dates(series: FredSeries) -> list[str]:
    return [iso(o) for o in np.unique(series.versions.start).tolist()]
