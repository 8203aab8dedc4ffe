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
        " holdings_usd_bn, source_file) SELECT holder_code, month, country, holder_type,"
        " holdings_usd_bn, 'mfhhis01.txt' FROM holdings"
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
    assert real_marts["latest_indicators"] == 19


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
    assert table[end]["spread_10y_zscore"] == pytest.approx(expected, abs=1e-9)


def test_rebuild_is_identical(
    real_staging: duckdb.DuckDBPyConnection, real_marts: dict[str, int]
) -> None:
    names = list(real_marts)
    before = {n: rows(real_staging, f"marts.{n}") for n in names}
    build_all(real_staging)
    assert {n: rows(real_staging, f"marts.{n}") for n in names} == before
