-- The headline numbers, one row per indicator: latest value, its date, its change over one week and one month, and whether it is provisional.
-- depends_on: marts/indicator_series
-- keys: indicator
-- max_row_drop: 0.2

CREATE OR REPLACE TABLE marts.latest_indicators AS
WITH published AS (
    SELECT indicator, date, value, unit, frequency, display_order, source
    FROM marts.indicator_series
),
latest AS (
    SELECT
        indicator,
        max(date) AS as_of,
        arg_max(value, date) AS value,
        arg_max(is_provisional, date) AS is_provisional,
        arg_max(input_as_of, date) AS input_as_of,
        any_value(unit) AS unit,
        any_value(frequency) AS frequency,
        any_value(display_order) AS display_order,
        any_value(source) AS source
    FROM marts.indicator_series
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
),
changes AS (  -- a weekly or monthly change never reaches past a missing week or month
    SELECT
        l.*,
        CASE
            WHEN l.frequency = 'daily' THEN l.value - w.value
            WHEN l.frequency = 'weekly' AND w.date = l.as_of - 7 THEN l.value - w.value
        END AS chg_1w,
        CASE
            WHEN l.frequency = 'daily' THEN l.value - m.value
            WHEN l.frequency = 'weekly' AND m.date > m.target - 7 THEN l.value - m.value
            WHEN l.frequency = 'monthly' AND m.date = m.target THEN l.value - m.value
        END AS chg_1m
    FROM latest AS l
    LEFT JOIN week_before AS w ON w.indicator = l.indicator
    LEFT JOIN month_before AS m ON m.indicator = l.indicator
)
SELECT  -- changes rounded like the values: bp 0.01, USD bn 0.001, percent and others 0.0001
    indicator,
    value,
    as_of,
    round(chg_1w, CASE unit WHEN 'bp' THEN 2 WHEN 'usd_bn' THEN 3 WHEN 'jpy_100m' THEN 0
                            ELSE 4 END) AS chg_1w,
    round(chg_1m, CASE unit WHEN 'bp' THEN 2 WHEN 'usd_bn' THEN 3 WHEN 'jpy_100m' THEN 0
                            ELSE 4 END) AS chg_1m,
    unit,
    frequency,
    source,
    is_provisional,
    input_as_of
FROM changes
ORDER BY display_order;

COMMENT ON TABLE marts.latest_indicators IS 'The dashboard''s headline numbers: one row per indicator of marts.indicator_series that has data, in its display order, with its latest published (non-NULL) value, the date it refers to, its change over one week and one month, and whether it is provisional. Every publish appends these rows to marts.indicator_snapshots, so what the dashboard said on a given day stays answerable.';
COMMENT ON COLUMN marts.latest_indicators.indicator IS 'Indicator name, the column name of its source where there is one (see source).';
COMMENT ON COLUMN marts.latest_indicators.value IS 'Latest non-NULL value, in unit.';
COMMENT ON COLUMN marts.latest_indicators.as_of IS 'Date the latest value refers to: the observation date (daily), the MOF week_end (weekly MOF flows), the Wednesday (net liquidity), or the month''s first day (monthly).';
COMMENT ON COLUMN marts.latest_indicators.chg_1w IS 'value minus an earlier value of the indicator, in unit (rounded like value). Daily: the latest non-NULL value dated on or before as_of - 7 days (so a holiday falls back to the business day before). Weekly: the non-NULL value dated exactly as_of - 7 days (the previous week); NULL if that week has none, never a two-week change. NULL for monthly indicators (a one-week change of a monthly series would silently be a one-month change).';
COMMENT ON COLUMN marts.latest_indicators.chg_1m IS 'value minus an earlier value of the indicator, in unit (rounded like value); the target date is as_of minus one calendar month. Daily: the latest non-NULL value dated on or before the target. Weekly: the latest non-NULL value dated on or before the target and less than 7 days before it (the week covering the target); NULL if that week has none. Monthly: the non-NULL value of the previous calendar month; NULL if that month has none, never a two-month change.';
COMMENT ON COLUMN marts.latest_indicators.unit IS 'Unit of value and changes: pct (percent), bp (basis points), zscore (standard deviations), yen_per_usd, bp_per_bp (regression slope), usd_bn (billions of USD), jpy_100m (100 million yen), correlation.';
COMMENT ON COLUMN marts.latest_indicators.frequency IS 'Observation frequency of the indicator: daily, weekly or monthly.';
COMMENT ON COLUMN marts.latest_indicators.source IS 'Table and column (or FRED series) the value comes from.';
COMMENT ON COLUMN marts.latest_indicators.is_provisional IS 'True when value will still change as data arrives (marts.indicator_series.is_provisional of the latest row): for hedged_pickup_bp and hedge_cost_pct, a month whose JPY 3-month rate is carried forward, or a partial month. Read such a value as provisional, not as a final monthly figure.';
COMMENT ON COLUMN marts.latest_indicators.input_as_of IS 'Date of the oldest input behind value (marts.indicator_series.input_as_of): as_of itself, except e.g. hedged_pickup_bp, where it is the month of the JPY 3-month rate used (jpy_3m_as_of).';
