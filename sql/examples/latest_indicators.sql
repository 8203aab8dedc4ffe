-- The headline numbers: each indicator's latest value, its date, and its 1-week / 1-month change.
-- Open assets/serving/analytics.duckdb (read-only); units are in the `unit` column. A row with
-- is_provisional = true will still change (e.g. a hedged pickup on a carried JPY rate: see
-- input_as_of, or a partial month).
SELECT indicator, value, unit, as_of, chg_1w, chg_1m, frequency, is_provisional, input_as_of
FROM marts.latest_indicators
ORDER BY CASE frequency WHEN 'daily' THEN 1 WHEN 'weekly' THEN 2 ELSE 3 END, indicator;
