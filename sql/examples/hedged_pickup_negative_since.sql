-- After hedging the yen, does a Japanese investor still earn more in 10-year USTs than in JGBs?
-- If the latest hedged pickup is negative: since which month it has been negative (the month
-- after the last non-negative one), and the months since. is_provisional: the JPY 3-month leg
-- is not yet published for that month and carries the latest published value.
WITH latest AS (
    SELECT month, hedged_pickup_bp, is_provisional
    FROM marts.fx_hedged_yields_monthly
    WHERE hedged_pickup_bp IS NOT NULL
    ORDER BY month DESC
    LIMIT 1
),
last_non_negative AS (
    SELECT max(month) AS month
    FROM marts.fx_hedged_yields_monthly
    WHERE hedged_pickup_bp >= 0
)
SELECT
    l.month AS latest_month,
    l.hedged_pickup_bp AS latest_hedged_pickup_bp,
    l.is_provisional,
    CASE WHEN l.hedged_pickup_bp < 0
         THEN coalesce((n.month + INTERVAL 1 MONTH)::DATE,
                       (SELECT min(month) FROM marts.fx_hedged_yields_monthly))
    END AS negative_since,
    CASE WHEN l.hedged_pickup_bp < 0
         THEN date_diff('month', coalesce((n.month + INTERVAL 1 MONTH)::DATE, l.month), l.month) + 1
    END AS months_negative
FROM latest AS l, last_non_negative AS n;
