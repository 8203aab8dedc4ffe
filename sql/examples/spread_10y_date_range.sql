-- The 10-year UST-JGB spread over a date range, with how unusual it is (z-score) and the yen.
-- Change the two dates. A row exists only where both markets published a 10-year yield.
SELECT date, ust_10y_pct, jgb_10y_pct, spread_10y_bp, spread_10y_zscore, usdjpy
FROM marts.yield_spreads_daily
WHERE date BETWEEN DATE '2025-01-01' AND DATE '2026-12-31'
ORDER BY date;
