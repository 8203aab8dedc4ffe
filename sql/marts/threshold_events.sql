-- Every crossing of a configured level (sql/marts/thresholds.yaml, loaded into marts.threshold_levels), up or down, with the observations either side.
-- depends_on: mof/jgb_yields fred/DGS10 fred/DEXJPUS marts/yield_spreads_daily marts/fx_hedged_yields_monthly

CREATE OR REPLACE TABLE marts.threshold_events AS
WITH observations AS (  -- one long series per indicator the levels may name
    SELECT 'jgb_10y_pct' AS indicator, date, yield_pct AS value
    FROM staging.jgb_yields WHERE tenor_years = 10
    UNION ALL
    SELECT 'jgb_30y_pct', date, yield_pct
    FROM staging.jgb_yields WHERE tenor_years = 30
    UNION ALL
    SELECT 'ust_10y_pct', date, value
    FROM staging.fred_observations WHERE series_id = 'DGS10'
    UNION ALL
    SELECT 'usdjpy', date, value
    FROM staging.fred_observations WHERE series_id = 'DEXJPUS'
    UNION ALL
    SELECT 'spread_2y_bp', date, spread_2y_bp FROM marts.yield_spreads_daily
    UNION ALL
    SELECT 'spread_10y_bp', date, spread_10y_bp FROM marts.yield_spreads_daily
    UNION ALL
    SELECT 'spread_30y_bp', date, spread_30y_bp FROM marts.yield_spreads_daily
    UNION ALL
    SELECT 'spread_10y_zscore', date, spread_10y_zscore FROM marts.yield_spreads_daily
    UNION ALL
    SELECT 'hedged_pickup_bp', month, hedged_pickup_bp FROM marts.fx_hedged_yields_monthly
),
configured AS (  -- only indicators with levels, and only real observations
    SELECT *
    FROM observations
    WHERE value IS NOT NULL
      AND indicator IN (SELECT indicator FROM marts.threshold_levels)
),
with_previous AS (
    SELECT
        *,
        lag(value) OVER by_date AS value_before,
        lag(date) OVER by_date AS date_before
    FROM configured
    WINDOW by_date AS (PARTITION BY indicator ORDER BY date)
),
crossings AS (  -- prev < level <= value (up) or value < level <= prev (down)
    SELECT
        p.date,
        p.indicator,
        l.threshold,
        CASE WHEN p.value > p.value_before THEN 'up' ELSE 'down' END AS direction,
        p.value,
        p.value_before,
        p.date_before,
        l.unit
    FROM with_previous AS p
    JOIN marts.threshold_levels AS l
      ON l.indicator = p.indicator
     AND l.threshold > least(p.value, p.value_before)
     AND l.threshold <= greatest(p.value, p.value_before)
)
SELECT date, indicator, threshold, direction, value, value_before, date_before, unit
FROM crossings
ORDER BY date, indicator, threshold;

COMMENT ON TABLE marts.threshold_events IS 'One row per crossing of a configured level by an indicator: up when the previous observation < threshold <= this observation, down when the previous observation >= threshold > this observation. Levels come from sql/marts/thresholds.yaml via marts.threshold_levels. Observations are each indicator''s own published values (no filling), so a crossing is dated on the first observation on the new side. The latest event per indicator and threshold answers "when did it last cross, and which way?".';
COMMENT ON COLUMN marts.threshold_events.date IS 'Date of the first observation on the new side of the level (a month''s first day for monthly indicators).';
COMMENT ON COLUMN marts.threshold_events.indicator IS 'Indicator name, as in marts.threshold_levels: jgb_10y_pct / jgb_30y_pct (MOF, staging.jgb_yields), ust_10y_pct (FRED DGS10), usdjpy (FRED DEXJPUS), spread_2y_bp / spread_10y_bp / spread_30y_bp / spread_10y_zscore (marts.yield_spreads_daily), hedged_pickup_bp (marts.fx_hedged_yields_monthly).';
COMMENT ON COLUMN marts.threshold_events.threshold IS 'The level crossed, in the indicator''s unit (see unit).';
COMMENT ON COLUMN marts.threshold_events.direction IS '''up'' (previous < threshold <= value) or ''down'' (previous >= threshold > value).';
COMMENT ON COLUMN marts.threshold_events.value IS 'The indicator''s value on date, in its unit.';
COMMENT ON COLUMN marts.threshold_events.value_before IS 'The indicator''s previous observation (at date_before), in its unit.';
COMMENT ON COLUMN marts.threshold_events.date_before IS 'Date of the previous observation of the indicator.';
COMMENT ON COLUMN marts.threshold_events.unit IS 'Unit of value, value_before and threshold: pct (percent), bp (basis points), yen_per_usd, zscore (standard deviations).';
