"""The mart builder: discovery and order, header checks, missing inputs, comments, idempotency."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.warehouse import ensure_schemas
from pipelines.marts.build import (
    SQL_DIR,
    MartError,
    MartInputMissing,
    build_all,
    build_mart,
    discover_marts,
    parse_mart_file,
)
from tests.marts.staging_rows import (
    add_fred,
    add_jgb,
    add_mof_investor,
    add_mof_monthly,
    add_mof_weekly,
    add_tic,
    rows,
    staging_connection,
)

MARTS = {
    "yield_spreads_daily", "yield_spillover_daily", "fx_hedged_yields_monthly",
    "japan_ust_holdings_monthly", "capital_flow_monthly", "us_net_liquidity_weekly",
    "threshold_events", "latest_indicators", "indicator_series",
}


def _write(directory: Path, name: str, header: str, body: str) -> Path:
    path = directory / f"{name}.sql"
    path.write_text(f"{header}\nCREATE OR REPLACE TABLE marts.{name} AS {body}")
    return path


def test_discovers_every_mart_with_upstream_marts_first() -> None:
    marts = discover_marts()
    assert {m.name for m in marts} == MARTS == {p.stem for p in SQL_DIR.glob("*.sql")}
    position = {m.name: i for i, m in enumerate(marts)}
    for mart in marts:
        assert mart.description and mart.path == SQL_DIR / f"{mart.name}.sql"
        assert all(position[u] < position[mart.name] for u in mart.upstream_marts)
    assert discover_marts() == marts  # deterministic


def test_header_must_match_what_the_sql_reads(tmp_path: Path) -> None:
    body = "SELECT date FROM staging.jgb_yields ORDER BY date;"
    ok = _write(tmp_path, "ok", "-- fine\n-- depends_on: mof/jgb_yields", body)
    assert parse_mart_file(ok).depends_on == ("mof/jgb_yields",)
    bad = _write(tmp_path, "undeclared", "-- reads a table it does not declare", body)
    with pytest.raises(MartError, match=r"undeclared \['staging.jgb_yields'\]"):
        parse_mart_file(bad)
    fred = _write(tmp_path, "fred", "-- wrong series\n-- depends_on: fred/DGS2",
                  "SELECT value FROM staging.fred_observations WHERE series_id = 'DGS10';")
    with pytest.raises(MartError, match="never selects"):
        parse_mart_file(fred)
    unknown = _write(tmp_path, "unknown", "-- x\n-- depends_on: boj/rates", body)
    with pytest.raises(MartError, match="unknown input asset key 'boj/rates'"):
        parse_mart_file(unknown)


def test_a_fred_series_the_sql_selects_must_be_declared(tmp_path: Path) -> None:
    """The header must name every FRED series selected, or Dagster would not wire the dependency.

    Here DGS3MO is selected (by `=` and by `IN`) but only DGS10 is declared, so the mart would
    not refresh when DGS3MO changes, and could be built before DGS3MO is loaded.
    """
    header = "-- reads DGS3MO undeclared\n-- depends_on: fred/DGS10"
    undeclared = r"selects FRED series it does not declare: \['DGS3MO'\]"
    for where in ("series_id = 'DGS3MO' OR series_id = 'DGS10'",
                  "series_id IN ('DGS10', 'DGS3MO')"):
        body = "SELECT value FROM staging.fred_observations WHERE " + where + ";"  # noqa: S608
        path = _write(tmp_path, "undeclared_series", header, body)
        with pytest.raises(MartError, match=undeclared):
            parse_mart_file(path)
    # A series named only in a SQL comment or inside a COMMENT string is not a read.
    ok = _write(tmp_path, "declared", header,
                "SELECT value FROM staging.fred_observations WHERE series_id = 'DGS10';"
                " -- series_id = 'DGS3MO'\n"
                "COMMENT ON TABLE marts.declared IS 'not series_id = ''DGS3MO''';")
    assert parse_mart_file(ok).depends_on == ("fred/DGS10",)


def test_a_cycle_between_marts_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "a", "-- a\n-- depends_on: marts/b", "SELECT * FROM marts.b;")
    _write(tmp_path, "b", "-- b\n-- depends_on: marts/a", "SELECT * FROM marts.a;")
    with pytest.raises(MartError, match="cycle"):
        discover_marts(tmp_path)


def test_missing_staging_table_is_named() -> None:
    con = duckdb.connect()
    ensure_schemas(con)
    con.execute("CREATE TABLE staging.fred_observations (series_id VARCHAR, date DATE,"
                " value DOUBLE)")
    mart = next(m for m in discover_marts() if m.name == "yield_spreads_daily")
    with pytest.raises(MartInputMissing, match=r"staging\.jgb_yields \(asset mof/jgb_yields\)"):
        build_mart(con, mart)


def test_uncommented_column_fails_and_keeps_the_previous_table(tmp_path: Path) -> None:
    con = staging_connection()
    header = "-- demo\n-- depends_on: mof/jgb_yields"
    good = _write(tmp_path, "demo", header,
                  "SELECT 1 AS n FROM staging.jgb_yields ORDER BY n;\n"
                  "COMMENT ON TABLE marts.demo IS 't'; COMMENT ON COLUMN marts.demo.n IS 'c';")
    add_jgb(con, [("2024-01-04", {10: 0.6})])
    assert build_mart(con, parse_mart_file(good)) == 1
    bad = _write(tmp_path, "demo", header,
                 "SELECT 1 AS n, 2 AS m FROM staging.jgb_yields;\n"
                 "COMMENT ON TABLE marts.demo IS 't'; COMMENT ON COLUMN marts.demo.n IS 'c';")
    with pytest.raises(MartError, match="no COMMENT on m"):
        build_mart(con, parse_mart_file(bad))
    assert rows(con, "marts.demo") == [{"n": 1}]


def _populated() -> duckdb.DuckDBPyConnection:
    """A little of every input, enough for every mart to have rows."""
    con = staging_connection()
    fred: dict[str, list[tuple[date, float]]] = defaultdict(list)
    jgb = []
    for i in range(400):
        day = date(2023, 1, 2) + timedelta(days=i)
        if day.weekday() >= 5:
            continue
        wave = (i % 37) / 37
        jgb.append((day, {2: 0.1 + wave / 10, 10: 0.3 + wave, 30: 1.2 + wave}))
        for series, level in (("DGS2", 4.5), ("DGS10", 3.6), ("DGS30", 3.8), ("DGS3MO", 5.0)):
            fred[series].append((day, level + wave / 2))
        fred["DEXJPUS"].append((day, 130 + 20 * wave))
        fred["RRPONTSYD"].append((day, 2000 - i))
        fred["CBBTCUSD"].append((day, 20000 + 50 * i + 3000 * wave))
        if day.weekday() == 2:
            fred["WALCL"].append((day, 8_500_000 - 900 * i))
            fred["WDTGAL"].append((day, 500_000 + 300 * i))
        if day.weekday() == 4:
            add_mof_weekly(con, day - timedelta(days=5), day + timedelta(days=1), 1000 - 7 * i)
        if day.day <= 7 and day.weekday() == 0:
            month = day.replace(day=1)
            fred["IR3TIB01JPM156N"].append((month, 0.07))
            fred["FORLTTREASNET42609"].append((month, 5000.0 - 30 * i))
            add_tic(con, month, {"japan": ("country", 1100 + i / 10),
                                 "china_mainland": ("country", 800.0),
                                 "grand_total": ("total", 7500.0)})
            add_mof_monthly(con, month, 4000 - 20 * i)
            add_mof_investor(con, month, "life_insurers", 300 - i)
    add_jgb(con, jgb)
    scales = {"WALCL": 1e-3, "WDTGAL": 1e-3, "FORLTTREASNET42609": 1e-3, "RRPONTSYD": 1.0}
    for series, observations in fred.items():
        add_fred(con, series, observations, usd_bn_scale=scales.get(series))
    return con


def test_build_all_builds_every_mart_and_rebuilds_identically() -> None:
    con = _populated()
    counts = build_all(con)
    assert set(counts) == MARTS and all(counts.values())
    first = {name: rows(con, f"marts.{name}") for name in counts}
    assert build_all(con) == counts
    assert {name: rows(con, f"marts.{name}") for name in counts} == first
