-- The headline numbers: each indicator's latest value, its date, and its 1-week / 1-month change.
-- Open assets/serving/analytics.duckdb (read-only); units are in the `unit` column.
SELECT indicator, value, unit, as_of, chg_1w, chg_1m, frequency
FROM marts.latest_indicators
ORDER BY CASE frequency WHEN 'daily' THEN 1 WHEN 'weekly' THEN 2 ELSE 3 END, indicator;
