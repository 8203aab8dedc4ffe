-- What a staging table held on a given day: the 10-year JGB yields as this pipeline held them
-- at 2026-06-01 00:00 UTC, before any later correction. Every staging table X has a twin
-- X_history holding each value with the interval [valid_from, valid_to) in which it was
-- current (valid_to NULL = still current). Change the timestamp; swap the table for
-- staging.tic_holdings_history (holder_code, month) or staging.fred_observations_history.
-- In the serving copy valid_from/valid_to are TIMESTAMPs in UTC: compare with UTC literals.
SELECT date, tenor_years, yield_pct, valid_from, valid_to
FROM staging.jgb_yields_history
WHERE tenor_years = 10
  AND valid_from <= TIMESTAMP '2026-06-01 00:00:00'
  AND coalesce(valid_to, TIMESTAMP 'infinity') > TIMESTAMP '2026-06-01 00:00:00'
ORDER BY date DESC
LIMIT 20;
