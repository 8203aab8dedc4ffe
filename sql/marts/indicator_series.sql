-- Every headline indicator as one long series (indicator, date, value): the one list that feeds marts.latest_indicators and marts.threshold_events.
-- depends_on: mof/jgb_yields mof/securities_flows_weekly fred/DGS10 fred/DEXJPUS fred/FORLTTREASNET42609 marts/yield_spreads_daily marts/fx_hedged_yields_monthly marts/japan_ust_holdings_monthly marts/us_net_liquidity_weekly marts/yield_spillover_daily
-- keys: indicator date

CREATE OR REPLACE TABLE marts.indicator_series AS
WITH catalogue (display_order, indicator, unit, frequency, source) AS (
    -- catalogue:begin (pipelines/marts/thresholds.py reads these lines: one indicator each)
    VALUES
        (1, 'jgb_10y_pct', 'pct', 'daily', 'staging.jgb_yields (tenor_years = 10), MOF'),
        (2, 'jgb_30y_pct', 'pct', 'daily', 'staging.jgb_yields (tenor_years = 30), MOF'),
        (3, 'ust_10y_pct', 'pct', 'daily', 'staging.fred_observations DGS10'),
        (4, 'spread_2y_bp', 'bp', 'daily', 'marts.yield_spreads_daily.spread_2y_bp'),
        (5, 'spread_10y_bp', 'bp', 'daily', 'marts.yield_spreads_daily.spread_10y_bp'),
        (6, 'spread_30y_bp', 'bp', 'daily', 'marts.yield_spreads_daily.spread_30y_bp'),
        (7, 'spread_2y_zscore', 'zscore', 'daily', 'marts.yield_spreads_daily.spread_2y_zscore'),
        (8, 'spread_10y_zscore', 'zscore', 'daily', 'marts.yield_spreads_daily.spread_10y_zscore'),
        (9, 'spread_30y_zscore', 'zscore', 'daily', 'marts.yield_spreads_daily.spread_30y_zscore'),
        (10, 'usdjpy', 'yen_per_usd', 'daily', 'staging.fred_observations DEXJPUS'),
        (11, 'beta_same_day_250d', 'bp_per_bp', 'daily', 'marts.yield_spillover_daily.beta_same_day_250d'),
        (12, 'beta_next_day_250d', 'bp_per_bp', 'daily', 'marts.yield_spillover_daily.beta_next_day_250d'),
        (13, 'hedged_pickup_bp', 'bp', 'monthly', 'marts.fx_hedged_yields_monthly.hedged_pickup_bp'),
        (14, 'hedge_cost_pct', 'pct', 'monthly', 'marts.fx_hedged_yields_monthly.hedge_cost_pct'),
        (15, 'japan_ust_holdings_usd_bn', 'usd_bn', 'monthly', 'marts.japan_ust_holdings_monthly.japan_usd_bn'),
        (16, 'japan_chg_12m_usd_bn', 'usd_bn', 'monthly', 'marts.japan_ust_holdings_monthly.japan_chg_12m_usd_bn (break-adjusted)'),
        (17, 'japan_share_pct', 'pct', 'monthly', 'marts.japan_ust_holdings_monthly.japan_share_pct'),
        (18, 'japan_lt_treasury_net_purchases_usd_bn', 'usd_bn', 'monthly', 'staging.fred_observations FORLTTREASNET42609 (value_usd_bn)'),
        (19, 'mof_foreign_long_term_debt_net_jpy_100m', 'jpy_100m', 'weekly', 'staging.mof_securities_flows_weekly.foreign_long_term_debt_net_jpy_100m (week_end)'),
        (20, 'net_liquidity_usd_bn', 'usd_bn', 'weekly', 'marts.us_net_liquidity_weekly.net_liquidity_usd_bn'),
        (21, 'btc_netliq_corr_26w', 'correlation', 'weekly', 'marts.us_net_liquidity_weekly.btc_netliq_corr_26w')
    -- catalogue:end
),
observations AS (  -- (indicator, date, value, is_provisional, input_as_of), one series each
    SELECT 'jgb_10y_pct' AS indicator, date, yield_pct AS value, false AS is_provisional,
        date AS input_as_of
    FROM staging.jgb_yields WHERE tenor_years = 10
    UNION ALL
    SELECT 'jgb_30y_pct', date, yield_pct, false, date
    FROM staging.jgb_yields WHERE tenor_years = 30
    UNION ALL
    SELECT 'ust_10y_pct', date, value, false, date
    FROM staging.fred_observations WHERE series_id = 'DGS10'
    UNION ALL
    SELECT 'spread_2y_bp', date, spread_2y_bp, false, date FROM marts.yield_spreads_daily
    UNION ALL
    SELECT 'spread_10y_bp', date, spread_10y_bp, false, date FROM marts.yield_spreads_daily
    UNION ALL
    SELECT 'spread_30y_bp', date, spread_30y_bp, false, date FROM marts.yield_spreads_daily
    UNION ALL
    SELECT 'spread_2y_zscore', date, spread_2y_zscore, false, date FROM marts.yield_spreads_daily
    UNION ALL
    SELECT 'spread_10y_zscore', date, spread_10y_zscore, false, date
    FROM marts.yield_spreads_daily
    UNION ALL
    SELECT 'spread_30y_zscore', date, spread_30y_zscore, false, date
    FROM marts.yield_spreads_daily
    UNION ALL
    SELECT 'usdjpy', date, value, false, date
    FROM staging.fred_observations WHERE series_id = 'DEXJPUS'
    UNION ALL
    SELECT 'beta_same_day_250d', date, beta_same_day_250d, false, date
    FROM marts.yield_spillover_daily
    UNION ALL
    SELECT 'beta_next_day_250d', date, beta_next_day_250d, false, date
    FROM marts.yield_spillover_daily
    UNION ALL  -- provisional: JPY leg carried forward, or a partial month
    SELECT 'hedged_pickup_bp', month, hedged_pickup_bp, is_provisional,
        least(month, jpy_3m_as_of)
    FROM marts.fx_hedged_yields_monthly
    UNION ALL
    SELECT 'hedge_cost_pct', month, hedge_cost_pct, is_provisional, least(month, jpy_3m_as_of)
    FROM marts.fx_hedged_yields_monthly
    UNION ALL
    SELECT 'japan_ust_holdings_usd_bn', month, japan_usd_bn, false, month
    FROM marts.japan_ust_holdings_monthly
    UNION ALL
    SELECT 'japan_chg_12m_usd_bn', month, japan_chg_12m_usd_bn, false, month
    FROM marts.japan_ust_holdings_monthly
    UNION ALL
    SELECT 'japan_share_pct', month, japan_share_pct, false, month
    FROM marts.japan_ust_holdings_monthly
    UNION ALL
    SELECT 'japan_lt_treasury_net_purchases_usd_bn', date, round(value_usd_bn, 3), false, date
    FROM staging.fred_observations WHERE series_id = 'FORLTTREASNET42609'
    UNION ALL
    SELECT 'mof_foreign_long_term_debt_net_jpy_100m', week_end,
        foreign_long_term_debt_net_jpy_100m, false, week_end
    FROM staging.mof_securities_flows_weekly
    UNION ALL
    SELECT 'net_liquidity_usd_bn', week, net_liquidity_usd_bn, false, least(week, rrp_as_of)
    FROM marts.us_net_liquidity_weekly
    UNION ALL
    SELECT 'btc_netliq_corr_26w', week, btc_netliq_corr_26w, false, week
    FROM marts.us_net_liquidity_weekly
)
SELECT
    o.indicator,
    o.date,
    o.value::DOUBLE AS value,
    c.unit,
    coalesce(o.is_provisional, false) AS is_provisional,
    coalesce(o.input_as_of, o.date) AS input_as_of,
    c.frequency,
    c.display_order,
    c.source
FROM observations AS o
JOIN catalogue AS c ON c.indicator = o.indicator
WHERE o.value IS NOT NULL AND o.date IS NOT NULL
ORDER BY c.display_order, o.date;

COMMENT ON TABLE marts.indicator_series IS 'Every headline indicator as one long series: one row per indicator and date with a published (non-NULL) value, no filling. The catalogue in sql/marts/indicator_series.sql is the one list of indicators: marts.latest_indicators and marts.threshold_events both read this table, and sql/marts/thresholds.yaml may name only these indicators, in these units.';
COMMENT ON COLUMN marts.indicator_series.indicator IS 'Indicator name, the column name of its source where there is one (see source).';
COMMENT ON COLUMN marts.indicator_series.date IS 'Date the value refers to: the observation date (daily), the MOF week_end (weekly MOF flows), the Wednesday (net liquidity), or the month''s first day (monthly).';
COMMENT ON COLUMN marts.indicator_series.value IS 'The value, in unit, as its source table holds it (rounded there: bp 0.01, USD bn 0.001, percent 0.0001).';
COMMENT ON COLUMN marts.indicator_series.unit IS 'Unit of value: pct (percent), bp (basis points), zscore (standard deviations), yen_per_usd, bp_per_bp (regression slope), usd_bn (billions of USD), jpy_100m (100 million yen), correlation.';
COMMENT ON COLUMN marts.indicator_series.is_provisional IS 'True when the value will still change as data arrives: hedged_pickup_bp and hedge_cost_pct of a month whose JPY 3-month rate is carried forward or that is partial (marts.fx_hedged_yields_monthly.is_provisional). False for every other indicator.';
COMMENT ON COLUMN marts.indicator_series.input_as_of IS 'Date of the oldest input behind the value: date itself, except hedged_pickup_bp / hedge_cost_pct (the month of the JPY 3-month rate used, jpy_3m_as_of) and net_liquidity_usd_bn (the day of the overnight RRP carried over a Wednesday holiday).';
COMMENT ON COLUMN marts.indicator_series.frequency IS 'Observation frequency of the indicator: daily, weekly or monthly.';
COMMENT ON COLUMN marts.indicator_series.display_order IS 'Position of the indicator on the dashboard (marts.latest_indicators is in this order).';
COMMENT ON COLUMN marts.indicator_series.source IS 'Table and column (or FRED series) the value comes from.';
