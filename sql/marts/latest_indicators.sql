-- The headline numbers, one row per indicator: latest value, its date, and its change over one week and one month.
-- depends_on: mof/jgb_yields mof/securities_flows_weekly fred/DGS10 fred/DEXJPUS fred/FORLTTREASNET42609 marts/yield_spreads_daily marts/fx_hedged_yields_monthly marts/japan_ust_holdings_monthly marts/us_net_liquidity_weekly marts/yield_spillover_daily

CREATE OR REPLACE TABLE marts.latest_indicators AS
WITH catalogue (ordinal, indicator, unit, frequency, source) AS (
    VALUES
        (1, 'jgb_10y_pct', 'pct', 'daily', 'staging.jgb_yields (tenor_years = 10), MOF'),
        (2, 'jgb_30y_pct', 'pct', 'daily', 'staging.jgb_yields (tenor_years = 30), MOF'),
        (3, 'ust_10y_pct', 'pct', 'daily', 'staging.fred_observations DGS10'),
        (4, 'spread_2y_bp', 'bp', 'daily', 'marts.yield_spreads_daily.spread_2y_bp'),
        (5, 'spread_10y_bp', 'bp', 'daily', 'marts.yield_spreads_daily.spread_10y_bp'),
        (6, 'spread_30y_bp', 'bp', 'daily', 'marts.yield_spreads_daily.spread_30y_bp'),
        (7, 'spread_10y_zscore', 'zscore', 'daily', 'marts.yield_spreads_daily.spread_10y_zscore'),
        (8, 'usdjpy', 'yen_per_usd', 'daily', 'staging.fred_observations DEXJPUS'),
        (9, 'beta_same_day_250d', 'bp_per_bp', 'daily',
            'marts.yield_spillover_daily.beta_same_day_250d'),
        (10, 'beta_next_day_250d', 'bp_per_bp', 'daily',
            'marts.yield_spillover_daily.beta_next_day_250d'),
        (11, 'hedged_pickup_bp', 'bp', 'monthly', 'marts.fx_hedged_yields_monthly.hedged_pickup_bp'),
        (12, 'hedge_cost_pct', 'pct', 'monthly', 'marts.fx_hedged_yields_monthly.hedge_cost_pct'),
        (13, 'japan_ust_holdings_usd_bn', 'usd_bn', 'monthly',
            'marts.japan_ust_holdings_monthly.japan_usd_bn'),
        (14, 'japan_chg_12m_usd_bn', 'usd_bn', 'monthly',
            'marts.japan_ust_holdings_monthly.japan_chg_12m_usd_bn'),
        (15, 'japan_share_pct', 'pct', 'monthly', 'marts.japan_ust_holdings_monthly.japan_share_pct'),
        (16, 'japan_lt_treasury_net_purchases_usd_bn', 'usd_bn', 'monthly',
            'staging.fred_observations FORLTTREASNET42609 (value_usd_bn)'),
        (17, 'mof_foreign_long_term_debt_net_jpy_100m', 'jpy_100m', 'weekly',
            'staging.mof_securities_flows_weekly.foreign_long_term_debt_net_jpy_100m (week_end)'),
        (18, 'net_liquidity_usd_bn', 'usd_bn', 'weekly',
            'marts.us_net_liquidity_weekly.net_liquidity_usd_bn'),
        (19, 'btc_netliq_corr_26w', 'correlation', 'weekly',
            'marts.us_net_liquidity_weekly.btc_netliq_corr_26w')
),
observations AS (  -- (indicator, date, value), one long series per catalogue row
    SELECT 'jgb_10y_pct' AS indicator, date, yield_pct AS value
    FROM staging.jgb_yields WHERE tenor_years = 10
    UNION ALL
    SELECT 'jgb_30y_pct', date, yield_pct FROM staging.jgb_yields WHERE tenor_years = 30
    UNION ALL
    SELECT 'ust_10y_pct', date, value FROM staging.fred_observations WHERE series_id = 'DGS10'
    UNION ALL
    SELECT 'spread_2y_bp', date, spread_2y_bp FROM marts.yield_spreads_daily
    UNION ALL
    SELECT 'spread_10y_bp', date, spread_10y_bp FROM marts.yield_spreads_daily
    UNION ALL
    SELECT 'spread_30y_bp', date, spread_30y_bp FROM marts.yield_spreads_daily
    UNION ALL
    SELECT 'spread_10y_zscore', date, spread_10y_zscore FROM marts.yield_spreads_daily
    UNION ALL
    SELECT 'usdjpy', date, value FROM staging.fred_observations WHERE series_id = 'DEXJPUS'
    UNION ALL
    SELECT 'beta_same_day_250d', date, beta_same_day_250d FROM marts.yield_spillover_daily
    UNION ALL
    SELECT 'beta_next_day_250d', date, beta_next_day_250d FROM marts.yield_spillover_daily
    UNION ALL
    SELECT 'hedged_pickup_bp', month, hedged_pickup_bp FROM marts.fx_hedged_yields_monthly
    UNION ALL
    SELECT 'hedge_cost_pct', month, hedge_cost_pct FROM marts.fx_hedged_yields_monthly
    UNION ALL
    SELECT 'japan_ust_holdings_usd_bn', month, japan_usd_bn FROM marts.japan_ust_holdings_monthly
    UNION ALL
    SELECT 'japan_chg_12m_usd_bn', month, japan_chg_12m_usd_bn
    FROM marts.japan_ust_holdings_monthly
    UNION ALL
    SELECT 'japan_share_pct', month, japan_share_pct FROM marts.japan_ust_holdings_monthly
    UNION ALL
    SELECT 'japan_lt_treasury_net_purchases_usd_bn', date, value_usd_bn
    FROM staging.fred_observations WHERE series_id = 'FORLTTREASNET42609'
    UNION ALL
    SELECT 'mof_foreign_long_term_debt_net_jpy_100m', week_end, foreign_long_term_debt_net_jpy_100m
    FROM staging.mof_securities_flows_weekly
    UNION ALL
    SELECT 'net_liquidity_usd_bn', week, net_liquidity_usd_bn FROM marts.us_net_liquidity_weekly
    UNION ALL
    SELECT 'btc_netliq_corr_26w', week, btc_netliq_corr_26w FROM marts.us_net_liquidity_weekly
),
published AS (
    SELECT indicator, date, value::DOUBLE AS value FROM observations WHERE value IS NOT NULL
),
latest AS (
    SELECT indicator, max(date) AS as_of, arg_max(value, date) AS value
    FROM published
    GROUP BY indicator
),
week_before AS (  -- latest observation on or before as_of - 7 days
    SELECT l.indicator, p.date, p.value
    FROM latest AS l
    ASOF JOIN published AS p ON p.indicator = l.indicator AND p.date <= l.as_of - 7
),
month_before AS (  -- latest observation on or before as_of - 1 calendar month
    SELECT l.indicator, p.date, p.value, (l.as_of - INTERVAL 1 MONTH)::DATE AS target
    FROM latest AS l
    ASOF JOIN published AS p
      ON p.indicator = l.indicator AND p.date <= (l.as_of - INTERVAL 1 MONTH)::DATE
)
SELECT  -- a weekly or monthly change never reaches past a missing week or month
    c.indicator,
    l.value,
    l.as_of,
    CASE
        WHEN c.frequency = 'daily' THEN l.value - w.value
        WHEN c.frequency = 'weekly' AND w.date = l.as_of - 7 THEN l.value - w.value
    END AS chg_1w,
    CASE
        WHEN c.frequency = 'daily' THEN l.value - m.value
        WHEN c.frequency = 'weekly' AND m.date > m.target - 7 THEN l.value - m.value
        WHEN c.frequency = 'monthly' AND m.date = m.target THEN l.value - m.value
    END AS chg_1m,
    c.unit,
    c.frequency,
    c.source
FROM catalogue AS c
LEFT JOIN latest AS l ON l.indicator = c.indicator
LEFT JOIN week_before AS w ON w.indicator = c.indicator
LEFT JOIN month_before AS m ON m.indicator = c.indicator
ORDER BY c.ordinal;

COMMENT ON TABLE marts.latest_indicators IS 'The dashboard''s headline numbers: one row per indicator, in a fixed display order, with its latest published (non-NULL) value, the date it refers to, and its change over one week and one month. Every catalogued indicator has a row; value is NULL when its source has no data.';
COMMENT ON COLUMN marts.latest_indicators.indicator IS 'Indicator name, the column name of its source where there is one (see source).';
COMMENT ON COLUMN marts.latest_indicators.value IS 'Latest non-NULL value, in unit.';
COMMENT ON COLUMN marts.latest_indicators.as_of IS 'Date the latest value refers to: the observation date (daily), the MOF week_end (weekly MOF flows), the Wednesday (net liquidity), or the month''s first day (monthly).';
COMMENT ON COLUMN marts.latest_indicators.chg_1w IS 'value minus an earlier value of the indicator, in unit. Daily: the latest non-NULL value dated on or before as_of - 7 days (so a holiday falls back to the business day before). Weekly: the non-NULL value dated exactly as_of - 7 days (the previous week); NULL if that week has none, never a two-week change. NULL for monthly indicators (a one-week change of a monthly series would silently be a one-month change).';
COMMENT ON COLUMN marts.latest_indicators.chg_1m IS 'value minus an earlier value of the indicator, in unit; the target date is as_of minus one calendar month. Daily: the latest non-NULL value dated on or before the target. Weekly: the latest non-NULL value dated on or before the target and less than 7 days before it (the week covering the target); NULL if that week has none. Monthly: the non-NULL value of the previous calendar month; NULL if that month has none, never a two-month change.';
COMMENT ON COLUMN marts.latest_indicators.unit IS 'Unit of value and changes: pct (percent), bp (basis points), zscore (standard deviations), yen_per_usd, bp_per_bp (regression slope), usd_bn (billions of USD), jpy_100m (100 million yen), correlation.';
COMMENT ON COLUMN marts.latest_indicators.frequency IS 'Observation frequency of the indicator: daily, weekly or monthly.';
COMMENT ON COLUMN marts.latest_indicators.source IS 'Table and column (or FRED series) the value comes from.';
