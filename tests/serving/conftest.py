"""A small warehouse built by hand: a few staging tables (through the real publish path, so
they carry vintages and comments), raw.loaded_files, meta.check_results and the marts the
serving layer reads, with known row counts and dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.lib.fetch_log import ensure_raw_tables
from pipelines.lib.publish import ERROR, WARN, CheckOutcome, publish_batch
from pipelines.lib.warehouse import Warehouse
from pipelines.sources.mof.tables import JGB_YIELDS
from pipelines.validation.results import record_outcomes

LAST_DAY = date(2026, 11, 20)
DAYS = 40  # daily rows in staging.jgb_yields (10y) and marts.yield_spreads_daily
MONTHS = 18
WEEKS = 30
LOADED_AT = datetime(2026, 11, 21, 6, 30, tzinfo=UTC)

MARTS_SQL = f"""
CREATE OR REPLACE TABLE marts.yield_spreads_daily AS
SELECT (DATE '{LAST_DAY}' - ({DAYS} - 1 - i)::INT) AS date,
       4.0 + i / 100.0 AS ust_10y_pct, 1.5 + i / 200.0 AS jgb_10y_pct,
       (4.0 + i / 100.0 - 1.5 - i / 200.0) * 100 AS spread_10y_bp
FROM range({DAYS}) t(i);
COMMENT ON TABLE marts.yield_spreads_daily IS 'UST minus JGB yields by date';
COMMENT ON COLUMN marts.yield_spreads_daily.date IS 'Date both markets published';
COMMENT ON COLUMN marts.yield_spreads_daily.ust_10y_pct IS '10-year UST yield, percent';
COMMENT ON COLUMN marts.yield_spreads_daily.jgb_10y_pct IS '10-year JGB yield, percent';
COMMENT ON COLUMN marts.yield_spreads_daily.spread_10y_bp IS 'UST minus JGB, basis points';

CREATE OR REPLACE TABLE marts.fx_hedged_yields_monthly AS
SELECT (DATE '2026-11-01' - INTERVAL (({MONTHS} - 1 - i)) MONTH)::DATE AS month,
       -50.0 + i * 5 AS hedged_pickup_bp, 250.0 - i AS unhedged_pickup_bp,
       4.2 AS hedge_cost_pct
FROM range({MONTHS}) t(i);
COMMENT ON TABLE marts.fx_hedged_yields_monthly IS 'Hedged and unhedged pickup by month';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.month IS 'First day of month';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.hedged_pickup_bp IS 'Hedged pickup, bp';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.unhedged_pickup_bp IS 'Unhedged pickup, bp';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.hedge_cost_pct IS 'Hedge cost, percent';

CREATE OR REPLACE TABLE marts.japan_ust_holdings_monthly AS
SELECT (DATE '2026-09-01' - INTERVAL (({MONTHS} - 1 - i)) MONTH)::DATE AS month,
       1100.0 + i AS japan_usd_bn, CASE WHEN i >= 12 THEN 12.0 END AS japan_chg_12m_usd_bn,
       1 AS japan_rank
FROM range({MONTHS}) t(i);
COMMENT ON TABLE marts.japan_ust_holdings_monthly IS 'Japan''s UST holdings by month';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.month IS 'First day of month';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_usd_bn IS 'Holdings, USD bn';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_chg_12m_usd_bn IS '12-month change';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_rank IS 'Rank among holders';

CREATE OR REPLACE TABLE marts.capital_flow_monthly AS
SELECT (DATE '2026-10-01' - INTERVAL (({MONTHS} - 1 - i)) MONTH)::DATE AS month,
       (i % 5 - 2) * 5000.0 AS mof_foreign_long_term_debt_net_jpy_100m
FROM range({MONTHS}) t(i);
COMMENT ON TABLE marts.capital_flow_monthly IS 'Flows by month';
COMMENT ON COLUMN marts.capital_flow_monthly.month IS 'First day of month';
COMMENT ON COLUMN marts.capital_flow_monthly.mof_foreign_long_term_debt_net_jpy_100m IS
 'MOF net purchases of foreign long-term debt, 100 million yen';

CREATE OR REPLACE TABLE marts.us_net_liquidity_weekly AS
SELECT (DATE '2026-11-18' - 7 * ({WEEKS} - 1 - i)::INT) AS week,
       5800.0 + i * 3 AS net_liquidity_usd_bn, 90000.0 + i * 500 AS btc_usd
FROM range({WEEKS}) t(i);
COMMENT ON TABLE marts.us_net_liquidity_weekly IS 'Net liquidity by Wednesday';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.week IS 'Wednesday';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.net_liquidity_usd_bn IS 'Net liquidity, USD bn';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.btc_usd IS 'Bitcoin, USD';

CREATE OR REPLACE TABLE marts.threshold_events AS
SELECT DATE '2026-11-20' AS date, 'jgb_10y_pct' AS indicator, 2.0::DOUBLE AS threshold,
       'up' AS direction, 2.03::DOUBLE AS value, 1.98::DOUBLE AS value_before,
       DATE '2026-11-19' AS date_before, 'pct' AS unit;
COMMENT ON TABLE marts.threshold_events IS 'Crossings of configured levels';
"""  # noqa: S608 (test constants, no input)


def make_warehouse(path: Path) -> Path:
    """Write the small warehouse at `path` and return it."""
    with Warehouse(path).connect() as con:
        _staging(con)
        con.execute(MARTS_SQL)
    return path


def _staging(con: duckdb.DuckDBPyConnection) -> None:
    first = LAST_DAY - timedelta(days=DAYS - 1)
    jgb = pl.DataFrame({
        "date": [first + timedelta(days=i) for i in range(DAYS)],
        "tenor_years": [10] * DAYS,
        "yield_pct": [1.5 + i / 200 for i in range(DAYS)],
        "source_file": ["jgbcme.csv"] * DAYS,
    }, schema_overrides={"tenor_years": pl.Int16})
    publish_batch(con, JGB_YIELDS, jgb, dataset="jgb_yields",
                  known_at=datetime(2026, 11, 1, tzinfo=UTC))
    revised = jgb.tail(1).with_columns(yield_pct=pl.lit(2.5))
    publish_batch(con, JGB_YIELDS, revised, dataset="jgb_yields", known_at=LOADED_AT)
    ensure_raw_tables(con)
    con.execute(
        "INSERT INTO raw.loaded_files VALUES ('jgb_yields', 'http://x/jgbcme.csv', 'abc',"
        " NULL, NULL, ?, ?, NULL)", [LOADED_AT, DAYS],
    )
    ok = CheckOutcome("keys_unique", True, ERROR, "one row per key")
    record_outcomes(con, "staging.jgb_yields", "mof/jgb_yields", [ok],
                    evaluated_at=LOADED_AT - timedelta(days=1))
    # A later evaluation of the same check fails: only the latest outcome counts.
    stale = CheckOutcome("fresh_as_of", False, WARN, "recent enough")
    record_outcomes(con, "staging.jgb_yields", "mof/jgb_yields", [ok, stale],
                    evaluated_at=LOADED_AT)


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return make_warehouse(tmp_path / "assets" / "warehouse.duckdb")
