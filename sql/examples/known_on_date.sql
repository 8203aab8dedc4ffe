-- What did the dashboard say on day D? The latest_indicators rows of the last publish at or
-- before D (marts.indicator_snapshots keeps every publish). D is now here, so this shows
-- what the dashboard says today; replace it with e.g. TIMESTAMP '2026-06-01 00:00:00'.
-- In the serving copy published_at is a TIMESTAMP in UTC: compare with UTC literals.
-- A value restated since (a provisional month finalised) shows its old number here.
WITH asked AS (SELECT current_timestamp AT TIME ZONE 'UTC' AS known_on),
last_publish AS (
    SELECT max(published_at) AS published_at
    FROM marts.indicator_snapshots, asked
    WHERE published_at <= asked.known_on
)
SELECT s.published_at, s.indicator, s.value, s.unit, s.as_of, s.is_provisional,
       s.input_as_of, s.chg_1w, s.chg_1m
FROM marts.indicator_snapshots AS s
JOIN last_publish USING (published_at)
ORDER BY s.indicator;
