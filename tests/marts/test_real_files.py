"""The marts on staging loaded from the real publisher files (tests/data/publishers).

Anchors are read off the files by hand: on 2021-01-04 DGS10 = 0.93, DGS2 = 0.11, DGS30 = 1.66
and the MOF 10/2/30-year JGB yields are 0.033, -0.121, 0.655.
"""

from __future__ import annotations

import statistics
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.marts.build import build_all
from pipelines.sources.fred.parse import parse_fredgraph_csv
from pipelines.sources.mof.jgb_parse import parse_jgb_csv
from pipelines.sources.tic.parse import parse_mfh_history
from tests.marts import hysteresis_reference as hysteresis
from tests.marts.staging_rows import by, rows, staging_connection

LEGACY = "fred/fredgraph_csv_legacy_DATE_header"
CURRENT = "fred/fredgraph_csv_observation_date_header"
# (folder, series, units, multiplier to USD bn). WTREGEN is in billions in these downloads.
FRED_FILES = (
    (LEGACY, "DGS2", "Percent", None),
    (LEGACY, "DGS5", "Percent", None),
    (LEGACY, "DGS10", "Percent", None),
    (LEGACY, "DGS30", "Percent", None),
    (LEGACY, "WALCL", "Millions of U.S. Dollars", 1e-3),
    (LEGACY, "WTREGEN", "Billions of U.S. Dollars", 1.0),
    (LEGACY, "RRPONTSYD", "Billions of U.S. Dollars", 1.0),
    (LEGACY, "CBBTCUSD", "U.S. Dollars", None),
    (CURRENT, "DEXJPUS", "Japanese Yen to One U.S. Dollar", None),
    (CURRENT, "IR3TIB01JPM156N", "Percent", None),
)
ANCHOR = date(2021, 1, 4)


def _load_fred(con: duckdb.DuckDBPyConnection, reference_dir: Path) -> None:
    for folder, series_id, units, scale in FRED_FILES:
        body = (reference_dir / folder / f"{series_id}.csv").read_bytes()
        frame = parse_fredgraph_csv(body, series_id)  # noqa: F841 - read by the SQL below
        con.execute(
            "INSERT INTO staging.fred_observations (series_id, date, value, units, value_usd_bn,"
            " value_normalised, fetch_mode) SELECT ?, date, value, ?, value * ?,"
            " coalesce(value * ?, value), 'keyless' FROM frame",
            [series_id, units, scale, scale],
        )


def _load_jgb(con: duckdb.DuckDBPyConnection, reference_dir: Path) -> None:
    frame = parse_jgb_csv((reference_dir / "mof_jgb" / "jgbcme_all.csv").read_bytes())  # noqa: F841
    con.execute(
        "INSERT INTO staging.jgb_yields (date, tenor_years, yield_pct, source_file)"
        " SELECT date, tenor_years, yield_pct, 'jgbcme_all.csv' FROM frame"
    )


def _load_tic(con: duckdb.DuckDBPyConnection, reference_dir: Path) -> None:
    holdings = parse_mfh_history(  # noqa: F841 - read by the SQL below
        (reference_dir / "tic" / "mfhhis01.txt").read_bytes()
    ).holdings
    con.execute(
        "INSERT INTO staging.tic_holdings (holder_code, month, country, holder_type,"
        " holdings_usd_bn, old_series_usd_bn, source_file) SELECT holder_code, month, country,"
        " holder_type, holdings_usd_bn, old_series_usd_bn, 'mfhhis01.txt' FROM holdings"
    )


@pytest.fixture(scope="module")
def real_staging(reference_dir: Path) -> duckdb.DuckDBPyConnection:
    con = staging_connection()
    _load_fred(con, reference_dir)
    _load_jgb(con, reference_dir)
    _load_tic(con, reference_dir)
    return con


@pytest.fixture(scope="module")
def real_marts(real_staging: duckdb.DuckDBPyConnection) -> dict[str, int]:
    started = time.perf_counter()
    counts = build_all(real_staging)
    elapsed = time.perf_counter() - started
    print(f"\nbuild_all on real-file staging: {elapsed:.3f} s, rows {counts}")
    return counts


def test_every_mart_is_built(
    real_staging: duckdb.DuckDBPyConnection, real_marts: dict[str, int]
) -> None:
    ust_10y = {d for (d,) in real_staging.execute(
        "SELECT date FROM staging.fred_observations WHERE series_id = 'DGS10'").fetchall()}
    jgb_10y = {d for (d,) in real_staging.execute(
        "SELECT date FROM staging.jgb_yields WHERE tenor_years = 10").fetchall()}
    assert real_marts["yield_spreads_daily"] == len(ust_10y & jgb_10y)
    assert real_marts["japan_ust_holdings_monthly"] == 310  # Mar-2000 .. Dec-2025
    # Indicators with data in these files; the reference set lacks DGS3MO (hedged pickup and
    # hedge cost), FORLTTREASNET42609, WDTGAL (net liquidity, BTC correlation) and MOF weekly.
    latest = {r["indicator"] for r in rows(real_staging, "marts.latest_indicators")}
    assert latest == {
        "jgb_10y_pct", "jgb_30y_pct", "ust_10y_pct", "spread_2y_bp", "spread_10y_bp",
        "spread_30y_bp", "spread_2y_zscore", "spread_10y_zscore", "spread_30y_zscore", "usdjpy",
        "beta_same_day_250d", "beta_next_day_250d", "japan_ust_holdings_usd_bn",
        "japan_chg_12m_usd_bn", "japan_share_pct"}


def test_spread_anchors_2021_01_04(
    real_staging: duckdb.DuckDBPyConnection, real_marts: dict[str, int]
) -> None:
    row = by(rows(real_staging, "marts.yield_spreads_daily"), "date")[ANCHOR]
    assert row["spread_10y_bp"] == pytest.approx(89.7, abs=1e-9)
    assert row["spread_2y_bp"] == pytest.approx(23.1, abs=1e-9)
    assert row["spread_30y_bp"] == pytest.approx(100.5, abs=1e-9)
    assert (row["ust_10y_pct"], row["jgb_10y_pct"]) == (0.93, 0.033)


def test_zscore_matches_statistics_over_the_last_252_rows(
    real_staging: duckdb.DuckDBPyConnection, real_marts: dict[str, int]
) -> None:
    table = rows(real_staging, "marts.yield_spreads_daily")
    end = next(i for i, r in enumerate(table) if r["date"] == ANCHOR)
    window = [(r["ust_10y_pct"] - r["jgb_10y_pct"]) * 100 for r in table[end - 251 : end + 1]]
    expected = (window[-1] - statistics.fmean(window)) / statistics.stdev(window)
    assert table[end]["spread_10y_zscore"] == pytest.approx(expected, abs=5e-5)  # 0.0001


def test_rebuild_is_identical(
    real_staging: duckdb.DuckDBPyConnection, real_marts: dict[str, int]
) -> None:
    names = list(real_marts)
    before = {n: rows(real_staging, f"marts.{n}") for n in names}
    build_all(real_staging)
    assert {n: rows(real_staging, f"marts.{n}") for n in names} == before


# ------------------------------------------------------------------ read by hand with csv
def _jgb_10y_by_hand(reference_dir: Path) -> list[tuple[date, float]]:
    import csv

    out = []
    with open(reference_dir / "mof_jgb" / "jgbcme_all.csv", encoding="ascii",
              errors="replace") as f:
        for row in csv.reader(f):
            if row and row[0][:1].isdigit() and row[10] not in ("-", ""):
                y, m, d = (int(x) for x in row[0].split("/"))
                out.append((date(y, m, d), float(row[10])))
    return out


def _fred_by_hand(reference_dir: Path, folder: str, series: str) -> list[tuple[date, float]]:
    import csv

    with open(reference_dir / folder / f"{series}.csv", encoding="ascii") as f:
        return [(date.fromisoformat(r[0]), float(r[1])) for r in list(csv.reader(f))[1:]
                if r[1] not in (".", "")]


def _japan_row_by_hand(reference_dir: Path) -> tuple[dict[date, float], dict[date, float]]:
    """Japan's holdings per month (left-hand column of a repeated month = new series) and the
    old series' comparison values (right-hand column), read off mfhhis01.txt with csv."""
    import csv
    import io

    names = "jan feb mar apr may jun jul aug sep oct nov dec".split()
    text = (reference_dir / "tic" / "mfhhis01.txt").read_text(encoding="ascii")
    table = list(csv.reader(io.StringIO(text), delimiter="\t"))
    new, old = {}, {}
    header: dict[int, tuple[date, bool]] = {}
    for i, cells in enumerate(table):
        if cells and not cells[0].strip() and len(cells) > 1 and cells[1].strip().lower() in names:
            header, seen = {}, set()
            for col, name in enumerate(cells[1:], start=1):
                if name.strip().lower() in names:
                    month = date(int(table[i + 1][col]), names.index(name.strip().lower()) + 1, 1)
                    header[col] = (month, month in seen)
                    seen.add(month)
        elif cells and cells[0].strip() == "Japan":
            for col, (month, is_old) in header.items():
                if cells[col].strip():
                    (old if is_old else new)[month] = float(cells[col])
    return new, old


def _month_minus(month: date, k: int) -> date:
    total = month.year * 12 + month.month - 1 - k
    return date(total // 12, total % 12 + 1, 1)


def test_tic_breaks_are_out_of_japans_changes(
    reference_dir: Path, real_staging: duckdb.DuckDBPyConnection, real_marts: dict[str, int]
) -> None:
    new, old = _japan_row_by_hand(reference_dir)
    table = by(rows(real_staging, "marts.japan_ust_holdings_monthly"), "month")
    # the three anchors: the change within one series, not across the re-basing
    for month, raw, adjusted in ((date(2008, 6, 1), 52.7, 5.1), (date(2011, 6, 1), -30.9, -1.3),
                                 (date(2004, 6, 1), 0.2, 22.0)):
        row = table[month]
        assert row["is_series_break"] is True
        assert row["japan_chg_1m_unadjusted_usd_bn"] == pytest.approx(raw, abs=1e-9)
        assert row["japan_chg_1m_usd_bn"] == pytest.approx(adjusted, abs=1e-9)
        assert row["japan_old_series_usd_bn"] == old[month]
    assert {m for m, r in table.items() if r["is_series_break"]} == set(old)
    # every 1, 3 and 12-month change, chain-linked by hand: minus each jump in (base, month]
    jumps = {m: new[m] - old[m] for m in old}
    for month, row in table.items():
        for k in (1, 3, 12):
            base = _month_minus(month, k)
            if base not in new:
                assert row[f"japan_chg_{k}m_usd_bn"] is None
                continue
            spanned = sum(v for m, v in jumps.items() if base < m <= month)
            expected = round(new[month] - new[base] - spanned, 3)
            assert row[f"japan_chg_{k}m_usd_bn"] == pytest.approx(expected, abs=1e-9), (month, k)


def test_hysteresis_on_the_real_jgb_10y(
    reference_dir: Path, real_staging: duckdb.DuckDBPyConnection, real_marts: dict[str, int]
) -> None:
    series = _jgb_10y_by_hand(reference_dir)
    events = rows(real_staging, "marts.threshold_events")
    for level in (0.25, 0.5, 0.75, 1.0, 1.5, 2.0):
        got = [(r["date"], r["direction"], r["confirmed_on"]) for r in events
               if r["indicator"] == "jgb_10y_pct" and r["threshold"] == level]
        assert got == hysteresis.events(series, level, 0.05), level
        # a lasting crossing is never lost: either it is an event on its own day, or the
        # events already had the value on that side (the dip before it was noise)
        for day, direction in hysteresis.lasting_crossings(series, level, 20):
            latest = [e for e in got if e[0] <= day]
            assert latest and latest[-1][1] == direction or (
                not latest and (series[0][1] >= level) == (direction == "up")), (level, day)
            before = [e for e in got if e[0] < day]
            side_before = before[-1][1] if before else ("up" if series[0][1] >= level else "down")
            if side_before != direction:
                assert (day, direction) in [(d, x) for d, x, _ in got], (level, day)
    raw = hysteresis.raw_crossings(series, 1.5)
    at_1_5 = [r for r in events if r["indicator"] == "jgb_10y_pct" and r["threshold"] == 1.5]
    assert len(raw) == 114  # what the mart reported before hysteresis
    assert len(at_1_5) <= len(raw) / 3
    sept_2008 = [r for r in at_1_5 if date(2008, 9, 4) <= r["date"] <= date(2008, 9, 16)]
    assert len([c for c in raw if date(2008, 9, 4) <= c[0] <= date(2008, 9, 16)]) == 8
    assert len(sept_2008) <= 1


def test_zscores_of_the_2_and_30_year_spreads(
    real_staging: duckdb.DuckDBPyConnection, real_marts: dict[str, int]
) -> None:
    table = rows(real_staging, "marts.yield_spreads_daily")
    for tenor in (2, 30):
        ust, jgb = f"ust_{tenor}y_pct", f"jgb_{tenor}y_pct"
        days = [(r["date"], (r[ust] - r[jgb]) * 100) for r in table
                if r[ust] is not None and r[jgb] is not None]
        at = {r["date"]: r[f"spread_{tenor}y_zscore"] for r in table}
        assert at[days[250][0]] is None
        for end in (251, len(days) // 2, len(days) - 1):
            window = [v for _, v in days[end - 251: end + 1]]
            expected = (window[-1] - statistics.fmean(window)) / statistics.stdev(window)
            assert at[days[end][0]] == pytest.approx(expected, abs=5e-5)


def test_spillover_pairs_use_each_one_day_jgb_move_once(
    reference_dir: Path, real_staging: duckdb.DuckDBPyConnection, real_marts: dict[str, int]
) -> None:
    from datetime import timedelta

    def prev_weekday(d: date) -> date:
        return d - timedelta(days=3 if d.weekday() == 0 else 1)

    jgb = _jgb_10y_by_hand(reference_dir)
    ust = _fred_by_hand(reference_dir, LEGACY, "DGS10")
    one_day_jgb = {d for (p, _), (d, _) in zip(jgb, jgb[1:], strict=False) if p >= prev_weekday(d)}
    one_day_ust = {d for (p, _), (d, _) in zip(ust, ust[1:], strict=False) if p >= prev_weekday(d)}
    table = rows(real_staging, "marts.yield_spillover_daily")
    same = {r["date"] for r in table if r["is_same_day_pair"]}
    assert same == one_day_jgb & one_day_ust
    nxt = [r for r in table if r["is_next_day_pair"]]
    assert len({r["jgb_prev_date"] for r in nxt}) == len(nxt)  # before: 161 of 2,822 reused
    # the JGB move of exactly the weekday before, with no Tokyo session (a Saturday) after it
    jgb_days = {d for d, _ in jgb}
    expected_next = set()
    for d in one_day_ust:
        before = prev_weekday(d)
        sessions_between = any(before + timedelta(days=k) in jgb_days
                               for k in range(1, (d - before).days))
        if before in one_day_jgb and not sessions_between:
            expected_next.add(d)
    assert {r["date"] for r in nxt} == expected_next
    saturday_mondays = {date(1988, 5, 9), date(1988, 11, 7)}
    by_date = {r["date"]: r for r in table}
    for monday in saturday_mondays:
        assert by_date[monday]["jgb_prev_date"] == monday - timedelta(days=2)  # a Saturday
        assert by_date[monday]["is_next_day_pair"] is False


def test_values_are_rounded_to_what_the_inputs_support(
    real_staging: duckdb.DuckDBPyConnection, real_marts: dict[str, int]
) -> None:
    decimals = {"_bp": 2, "_usd_bn": 3, "_pct": 4}
    for mart in real_marts:
        for row in rows(real_staging, f"marts.{mart}"):
            for column, value in row.items():
                places = next((n for s, n in decimals.items() if column.endswith(s)), None)
                if places is not None and isinstance(value, float):
                    assert value == round(value, places), (mart, column, value)


def test_jpy_3m_rate_is_carried_three_months_at_most(reference_dir: Path) -> None:
    """DGS10 to 2026-04, IR3TIB01JPM156N to 2025-03: 2025-06 still uses it, 2026-02 cannot."""
    con = staging_connection()
    _load_jgb(con, reference_dir)
    for folder, series_id in ((CURRENT, "DGS10"), (CURRENT, "IR3TIB01JPM156N")):
        frame = parse_fredgraph_csv(  # noqa: F841
            (reference_dir / folder / f"{series_id}.csv").read_bytes(), series_id)
        con.execute("INSERT INTO staging.fred_observations (series_id, date, value, units,"
                    " fetch_mode) SELECT ?, date, value, 'Percent', 'keyless' FROM frame",
                    [series_id])
    build_all(con)
    table = by(rows(con, "marts.fx_hedged_yields_monthly"), "month")
    jpy = dict(_fred_by_hand(reference_dir, CURRENT, "IR3TIB01JPM156N"))
    last = max(jpy)
    assert last == date(2025, 3, 1)
    for month, row in table.items():
        if month < date(2025, 3, 1):
            continue
        age = (month.year - last.year) * 12 + month.month - last.month
        assert row["jpy_3m_age_months"] == age
        assert row["jpy_3m_as_of"] == last
        expected = round(jpy[last], 4) if age <= 3 else None
        assert row["jpy_3m_pct"] == expected, month
        assert row["is_provisional"] is (age in (1, 2, 3) or row["is_partial_month"])
    assert table[date(2026, 2, 1)]["jpy_3m_pct"] is None  # was the 2025-03 rate, 11 months old
    ust = _fred_by_hand(reference_dir, CURRENT, "DGS10")
    assert max(d for d, _ in ust) == date(2026, 4, 16)
    assert table[date(2026, 4, 1)]["is_partial_month"] is True
    assert table[date(2026, 3, 1)]["is_partial_month"] is False
    latest = by(rows(con, "marts.latest_indicators"), "indicator")
    assert "hedged_pickup_bp" not in latest  # no DGS3MO in the reference files


def test_every_mart_passes_its_checks_on_the_real_files(
    real_staging: duckdb.DuckDBPyConnection, real_marts: dict[str, int]
) -> None:
    from pipelines.marts import checks
    from pipelines.marts.build import discover_marts

    for mart in discover_marts():
        failed = [o.as_dict() for o in checks.evaluate(real_staging, mart) if not o.passed]
        assert failed == [], mart.name


def test_breaks_tic_printed_no_comparison_for_are_flagged(
    reference_dir: Path, real_staging: duckdb.DuckDBPyConnection, real_marts: dict[str, int]
) -> None:
    """Footnotes 16 and 17: September and December 2011 are breaks without an old-series value."""
    flat = " ".join((reference_dir / "tic" / "mfhhis01.txt").read_text(encoding="ascii").split())
    assert ("Series XII for September 2011 includes holdings of Treasury bonds and notes as"
            " reported on monthly TIC Form SLT") in flat
    assert "Series XIII for December 2011 and all subsequent months include holdings" in flat
    breaks = {date(2011, 9, 1), date(2011, 12, 1)}
    new, old = _japan_row_by_hand(reference_dir)
    assert not breaks & set(old)  # nothing printed "for comparison": cannot be adjusted
    table = by(rows(real_staging, "marts.japan_ust_holdings_monthly"), "month")
    september = table[date(2011, 9, 1)]
    assert september["japan_chg_1m_usd_bn"] == pytest.approx(
        round(new[date(2011, 9, 1)] - new[date(2011, 8, 1)], 3), abs=1e-9)
    assert september["japan_chg_1m_usd_bn"] == pytest.approx(77.3, abs=1e-9)
    columns = (("has_unadjusted_break", 1), ("japan_chg_3m_has_unadjusted_break", 3),
               ("japan_chg_12m_has_unadjusted_break", 12))
    for month, row in table.items():
        for column, k in columns:
            spans = any(_month_minus(month, k) < b <= month for b in breaks)
            assert row[column] is spans, (month, column)
    flagged_12m = sorted(m for m, r in table.items() if r["japan_chg_12m_has_unadjusted_break"])
    assert (flagged_12m[0], flagged_12m[-1], len(flagged_12m)) == (
        date(2011, 9, 1), date(2012, 11, 1), 15)
    flows = by(rows(real_staging, "marts.capital_flow_monthly"), "month")
    assert {m for m, r in flows.items() if r["has_unadjusted_break"]} == breaks
    for month, row in flows.items():
        assert row["has_unadjusted_break"] is (table[month]["has_unadjusted_break"]
                                               if month in table else None), month


def test_crossings_held_by_the_yield_cap_are_confirmed_by_the_count(
    reference_dir: Path, real_staging: duckdb.DuckDBPyConnection, real_marts: dict[str, int]
) -> None:
    """An event is confirmed by the count when, from its date to confirmed_on, the JGB 10y
    never went the band (0.05) beyond the level: read off jgbcme_all.csv."""
    series = _jgb_10y_by_hand(reference_dir)
    events = [r for r in rows(real_staging, "marts.threshold_events")
              if r["indicator"] == "jgb_10y_pct"]
    by_count = set()
    for e in events:
        held = [v for d, v in series if e["date"] <= d <= e["confirmed_on"]]
        beyond = (max(held) >= e["threshold"] + 0.05 - 1e-9 if e["direction"] == "up"
                  else min(held) < e["threshold"] - 0.05 - 1e-9)
        if not beyond:
            by_count.add((e["date"], e["threshold"]))
            assert e["observations_to_confirm"] == len(held) == 20
    assert {(r["date"], r["threshold"]) for r in events
            if r["confirmed_by"] == "observations"} == by_count
    cap = next(r for r in events if r["date"] == date(2022, 10, 7) and r["threshold"] == 0.25)
    assert (cap["direction"], cap["confirmed_on"], cap["confirmed_by"]) == (
        "up", date(2022, 11, 7), "observations")
    print(f"\njgb_10y_pct events confirmed by the count: {len(by_count)} of {len(events)}")


def test_no_zscore_window_on_the_real_files_spans_more_than_450_days(
    reference_dir: Path, real_staging: duckdb.DuckDBPyConnection, real_marts: dict[str, int]
) -> None:
    """The 450-day guard leaves every z-score of the shipped files in place (DGS30 included);
    the longest window, around the 2019 ten-day Golden Week, spans 404 calendar days."""
    jgb = {d: v for d, v in _jgb_10y_by_hand(reference_dir)}
    dgs10 = [d for d, _ in _fred_by_hand(reference_dir, LEGACY, "DGS10") if d in jgb]
    span = max((dgs10[i] - dgs10[i - 251]).days for i in range(251, len(dgs10)))
    table = rows(real_staging, "marts.yield_spreads_daily")
    for tenor in (2, 10, 30):
        days = [r for r in table if r[f"spread_{tenor}y_bp"] is not None]
        longest = max((days[i]["date"] - days[i - 251]["date"]).days
                      for i in range(251, len(days)))
        assert longest <= 450, tenor
        assert [r["date"] for r in days[251:] if r[f"spread_{tenor}y_zscore"] is None] == []
    assert span == 404
    print(f"\nlongest 252-day 10y window on the real files: {span} calendar days")


def test_capital_flow_partial_months_include_the_late_usdjpy(
    reference_dir: Path, real_staging: duckdb.DuckDBPyConnection, real_marts: dict[str, int]
) -> None:
    """DEXJPUS here ends 2025-07-11: July 2025's USD/JPY is a partial mean. DGS10 (legacy file)
    ends 2021-01-04, so January 2021's pickups are partial too; the MOF file ends on the
    last weekday of April 2026."""
    from datetime import timedelta

    def last_weekday(month: date) -> date:
        nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        day = nxt - timedelta(days=1)
        return day - timedelta(days=max(0, day.weekday() - 4))

    fx = [d for d, _ in _fred_by_hand(reference_dir, CURRENT, "DEXJPUS")]
    ust = [d for d, _ in _fred_by_hand(reference_dir, LEGACY, "DGS10")]
    jgb = [d for d, _ in _jgb_10y_by_hand(reference_dir)]
    months = lambda days: {d.replace(day=1) for d in days}  # noqa: E731
    both_10y = months(ust) & months(jgb)
    table = by(rows(real_staging, "marts.capital_flow_monthly"), "month")
    expected = {m for m in table if
                (m in months(fx) and max(fx) < last_weekday(m))
                or (m in months(jgb) and max(jgb) < last_weekday(m))
                or (m in both_10y and min(max(ust), max(jgb)) < last_weekday(m))}
    assert expected == {date(2021, 1, 1), date(2025, 7, 1)}
    assert {m for m, r in table.items() if r["is_partial_month"]} == expected
