-- US net liquidity each Wednesday (Fed assets minus the Treasury General Account minus overnight reverse repo) and its rolling correlation with Bitcoin.
-- depends_on: fred/WALCL fred/WDTGAL fred/WTREGEN fred/RRPONTSYD fred/CBBTCUSD fred/DGS10 fred/DEXJPUS
-- keys: week
-- range: walcl_usd_bn 0 50000
-- range: rrp_usd_bn 0 5000
-- range: net_liquidity_usd_bn -5000 50000
-- range: btc_netliq_corr_26w -1 1

CREATE OR REPLACE TABLE marts.us_net_liquidity_weekly AS
WITH fed_assets AS (  -- H.4.1 Wednesday levels: the grain
    SELECT date AS week, value_usd_bn AS walcl_usd_bn
    FROM staging.fred_observations
    WHERE series_id = 'WALCL' AND value_usd_bn IS NOT NULL
),
tga_wednesday AS (
    SELECT date, value_usd_bn AS tga_usd_bn
    FROM staging.fred_observations
    WHERE series_id = 'WDTGAL'
),
tga_week_average AS (
    SELECT date, value_usd_bn AS tga_week_avg_usd_bn
    FROM staging.fred_observations
    WHERE series_id = 'WTREGEN'
),
rrp_daily AS (
    SELECT date AS rrp_as_of, value_usd_bn AS rrp_usd_bn
    FROM staging.fred_observations
    WHERE series_id = 'RRPONTSYD' AND value_usd_bn IS NOT NULL
),
btc_daily AS (
    SELECT date AS btc_as_of, value AS btc_usd
    FROM staging.fred_observations
    WHERE series_id = 'CBBTCUSD' AND value IS NOT NULL
),
us_business_days AS (  -- the Fed's H.10 (DEXJPUS) or H.15 (DGS10) was published that day
    SELECT DISTINCT date
    FROM staging.fred_observations
    WHERE series_id IN ('DGS10', 'DEXJPUS')
),
rrp_series AS (
    SELECT min(rrp_as_of) AS rrp_first, max(rrp_as_of) AS rrp_last FROM rrp_daily
),
with_rrp_candidates AS (  -- the operation on the Wednesday or the latest earlier one
    SELECT w.*, r.rrp_usd_bn AS rrp_latest_usd_bn, r.rrp_as_of AS rrp_latest_as_of
    FROM fed_assets AS w
    ASOF LEFT JOIN rrp_daily AS r ON r.rrp_as_of <= w.week
),
with_rrp AS (
    -- Overnight RRP matures the next business day, so on a business day with no operation
    -- nothing is outstanding: 0, not the last operation carried forward. Only over a holiday
    -- (no business day since the last operation) is it carried, for at most 4 days (maximum
    -- age). Daily operations began 2013-09-23; before, most business days had none (also 0).
    SELECT
        w.* EXCLUDE (rrp_latest_usd_bn, rrp_latest_as_of),
        CASE
            WHEN w.rrp_latest_as_of = w.week THEN w.rrp_latest_usd_bn
            WHEN s.rrp_first IS NULL OR w.week < s.rrp_first OR w.week > s.rrp_last THEN NULL
            WHEN b.date IS NOT NULL THEN 0.0
            WHEN w.week - w.rrp_latest_as_of <= 4 THEN w.rrp_latest_usd_bn
        END AS rrp_usd_bn,
        CASE
            WHEN w.rrp_latest_as_of = w.week THEN w.week
            WHEN s.rrp_first IS NULL OR w.week < s.rrp_first OR w.week > s.rrp_last THEN NULL
            WHEN b.date IS NOT NULL THEN w.week
            WHEN w.week - w.rrp_latest_as_of <= 4 THEN w.rrp_latest_as_of
        END AS rrp_as_of,
        w.rrp_latest_as_of <> w.week AND b.date IS NOT NULL
            AND w.week BETWEEN s.rrp_first AND s.rrp_last AS rrp_no_operation
    FROM with_rrp_candidates AS w
    CROSS JOIN rrp_series AS s
    LEFT JOIN us_business_days AS b ON b.date = w.week
),
with_btc AS (  -- Bitcoin trades every day: carried from an earlier day for at most 3 days
    SELECT
        w.*,
        CASE WHEN w.week - b.btc_as_of <= 3 THEN b.btc_usd END AS btc_usd,
        CASE WHEN w.week - b.btc_as_of <= 3 THEN b.btc_as_of END AS btc_as_of
    FROM with_rrp AS w
    ASOF LEFT JOIN btc_daily AS b ON b.btc_as_of <= w.week
),
levels AS (
    SELECT
        w.week,
        w.walcl_usd_bn,
        t.tga_usd_bn,
        a.tga_week_avg_usd_bn,
        w.rrp_usd_bn,
        w.rrp_as_of,
        w.rrp_no_operation,
        w.walcl_usd_bn - t.tga_usd_bn - w.rrp_usd_bn AS net_liquidity_usd_bn,
        w.btc_usd,
        w.btc_as_of
    FROM with_btc AS w
    LEFT JOIN tga_wednesday AS t ON t.date = w.week
    LEFT JOIN tga_week_average AS a ON a.date = w.week
),
weekly_log_changes AS (  -- versus the previous WALCL Wednesday; logs need positive levels
    SELECT
        *,
        net_liquidity_usd_bn - lag(net_liquidity_usd_bn) OVER by_week AS net_liquidity_chg_1w_usd_bn,
        CASE WHEN net_liquidity_usd_bn > 0 AND lag(net_liquidity_usd_bn) OVER by_week > 0
            THEN ln(net_liquidity_usd_bn / lag(net_liquidity_usd_bn) OVER by_week)
        END AS net_liquidity_log_chg_1w,
        CASE WHEN btc_usd > 0 AND lag(btc_usd) OVER by_week > 0
            THEN ln(btc_usd / lag(btc_usd) OVER by_week)
        END AS btc_log_chg_1w
    FROM levels
    WINDOW by_week AS (ORDER BY week)
),
rolling_correlations AS (  -- a full window of valid pairs, or NULL
    SELECT
        *,
        CASE WHEN regr_count(btc_log_chg_1w, net_liquidity_log_chg_1w) OVER last_13 = 13
            THEN nullif(corr(btc_log_chg_1w, net_liquidity_log_chg_1w) OVER last_13, 'NaN'::DOUBLE)
        END AS btc_netliq_corr_13w,
        CASE WHEN regr_count(btc_log_chg_1w, net_liquidity_log_chg_1w) OVER last_26 = 26
            THEN nullif(corr(btc_log_chg_1w, net_liquidity_log_chg_1w) OVER last_26, 'NaN'::DOUBLE)
        END AS btc_netliq_corr_26w,
        CASE WHEN regr_count(btc_log_chg_1w, net_liquidity_log_chg_1w) OVER last_52 = 52
            THEN nullif(corr(btc_log_chg_1w, net_liquidity_log_chg_1w) OVER last_52, 'NaN'::DOUBLE)
        END AS btc_netliq_corr_52w
    FROM weekly_log_changes
    WINDOW
        last_13 AS (ORDER BY week ROWS BETWEEN 12 PRECEDING AND CURRENT ROW),
        last_26 AS (ORDER BY week ROWS BETWEEN 25 PRECEDING AND CURRENT ROW),
        last_52 AS (ORDER BY week ROWS BETWEEN 51 PRECEDING AND CURRENT ROW)
)
SELECT  -- USD bn rounded to 0.001 (FRED publishes millions), log changes and correlations to 1e-6 / 0.0001
    week,
    round(walcl_usd_bn, 3) AS walcl_usd_bn,
    round(tga_usd_bn, 3) AS tga_usd_bn,
    round(tga_week_avg_usd_bn, 3) AS tga_week_avg_usd_bn,
    round(rrp_usd_bn, 3) AS rrp_usd_bn,
    rrp_as_of,
    rrp_no_operation,
    round(net_liquidity_usd_bn, 3) AS net_liquidity_usd_bn,
    round(net_liquidity_chg_1w_usd_bn, 3) AS net_liquidity_chg_1w_usd_bn,
    btc_usd, btc_as_of,
    round(net_liquidity_log_chg_1w, 6) AS net_liquidity_log_chg_1w,
    round(btc_log_chg_1w, 6) AS btc_log_chg_1w,
    round(btc_netliq_corr_13w, 4) AS btc_netliq_corr_13w,
    round(btc_netliq_corr_26w, 4) AS btc_netliq_corr_26w,
    round(btc_netliq_corr_52w, 4) AS btc_netliq_corr_52w
FROM rolling_correlations
ORDER BY week;

COMMENT ON TABLE marts.us_net_liquidity_weekly IS 'US net liquidity = Fed total assets (WALCL) - Treasury General Account (WDTGAL, Wednesday level) - overnight reverse repo (RRPONTSYD), billions of USD, one row per WALCL Wednesday (H.4.1 convention). All dollar inputs are FRED value_usd_bn, converted from the unit FRED states, so a change of unit by FRED does not move these numbers; USD bn are rounded to 0.001 (FRED publishes millions), log changes to 1e-6 and correlations to 0.0001. Correlations with Bitcoin are of weekly log changes, not levels.';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.week IS 'The Wednesday of the H.4.1 week (date of the WALCL observation).';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.walcl_usd_bn IS 'Billions of USD: Fed total assets, Wednesday level, FRED WALCL (published in millions; value_usd_bn).';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.tga_usd_bn IS 'Billions of USD: Treasury General Account, Wednesday level, FRED WDTGAL on this Wednesday (value_usd_bn); NULL if not published for it (no fill).';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.tga_week_avg_usd_bn IS 'Billions of USD: Treasury General Account, week average ending this Wednesday, FRED WTREGEN (value_usd_bn; FRED moved it from billions to millions). A cross-check only: not used in net_liquidity_usd_bn.';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.rrp_usd_bn IS 'Billions of USD: overnight reverse repo outstanding on this Wednesday, FRED RRPONTSYD (value_usd_bn). An overnight operation matures the next business day, so a US business day (DGS10 or DEXJPUS published) without an operation is 0 (rrp_no_operation), never the last operation carried forward. Only a Wednesday holiday carries the latest earlier operation (rrp_as_of), at most 4 days old; NULL before the series starts and after its newest date (not yet published). Daily operations began 2013-09-23.';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.rrp_as_of IS 'Date rrp_usd_bn refers to: this Wednesday (an operation, or 0 for none), or the last operation before a Wednesday holiday (at most 4 days earlier).';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.net_liquidity_usd_bn IS 'Billions of USD: walcl_usd_bn - tga_usd_bn - rrp_usd_bn, rounded to 0.001; NULL if any part is missing.';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.net_liquidity_chg_1w_usd_bn IS 'Billions of USD: net_liquidity_usd_bn - net_liquidity_usd_bn of the previous row (previous WALCL Wednesday).';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.btc_usd IS 'US dollars per bitcoin: FRED CBBTCUSD (Coinbase, about 5 pm PT) on this Wednesday or the latest earlier day published (btc_as_of), at most 3 days earlier (maximum age); NULL before the series starts or when older.';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.btc_as_of IS 'Date of the CBBTCUSD observation used in btc_usd (this Wednesday or earlier).';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.net_liquidity_log_chg_1w IS 'Natural log of net_liquidity_usd_bn / its value on the previous row; NULL unless both are positive.';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.btc_log_chg_1w IS 'Natural log of btc_usd / its value on the previous row; NULL unless both are positive.';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.btc_netliq_corr_13w IS 'Pearson correlation (DuckDB corr) of btc_log_chg_1w with net_liquidity_log_chg_1w over the 13 rows ending at this one (ROWS window); NULL unless all 13 pairs exist and both vary.';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.btc_netliq_corr_26w IS 'Pearson correlation of btc_log_chg_1w with net_liquidity_log_chg_1w over the 26 rows ending at this one; NULL unless all 26 pairs exist and both vary.';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.btc_netliq_corr_52w IS 'Pearson correlation of btc_log_chg_1w with net_liquidity_log_chg_1w over the 52 rows ending at this one; NULL unless all 52 pairs exist and both vary.';
COMMENT ON COLUMN marts.us_net_liquidity_weekly.rrp_no_operation IS 'True when this Wednesday was a US business day without an RRPONTSYD operation, so rrp_usd_bn is 0 (nothing outstanding overnight).';
