-- Monthly UST and JGB 10-year yields, the yen investor's approximate 3-month FX hedge cost, and the unhedged and hedged UST pickup over JGBs.
-- depends_on: fred/DGS10 fred/DGS3MO fred/IR3TIB01JPM156N fred/DEXJPUS mof/jgb_yields
-- keys: month
-- range: ust_10y_pct -2 25
-- range: jgb_10y_pct -1 15
-- range: jpy_3m_pct -2 15
-- range: hedge_cost_pct -15 25
-- range: hedged_pickup_bp -2000 2000
-- range: usdjpy 50 400

CREATE OR REPLACE TABLE marts.fx_hedged_yields_monthly AS
WITH fred_monthly_means AS (  -- mean of the month's daily observations; DECIMAL sums are exact,
    -- so the rounded mean does not depend on the order DuckDB happens to add rows in
    SELECT
        date_trunc('month', date)::DATE AS month,
        avg(value::DECIMAL(18, 6)) FILTER (WHERE series_id = 'DGS10') AS ust_10y_pct,
        avg(value::DECIMAL(18, 6)) FILTER (WHERE series_id = 'DGS3MO') AS usd_3m_pct,
        avg(value::DECIMAL(18, 6)) FILTER (WHERE series_id = 'DEXJPUS') AS usdjpy
    FROM staging.fred_observations
    WHERE series_id IN ('DGS10', 'DGS3MO', 'DEXJPUS')
    GROUP BY ALL
),
jgb_monthly_means AS (
    SELECT date_trunc('month', date)::DATE AS month, avg(yield_pct::DECIMAL(18, 6)) AS jgb_10y_pct
    FROM staging.jgb_yields
    WHERE tenor_years = 10
    GROUP BY ALL
),
last_quotes AS (  -- the newest date each daily input has reached
    SELECT
        (SELECT max(date) FROM staging.fred_observations WHERE series_id = 'DGS10')
            AS ust_last,
        (SELECT max(date) FROM staging.jgb_yields WHERE tenor_years = 10) AS jgb_last,
        -- DEXJPUS (H.10) is published about a week after the yields
        (SELECT max(date) FROM staging.fred_observations WHERE series_id = 'DEXJPUS')
            AS fx_last
),
jpy_3m_published AS (  -- OECD monthly series, dated on the first of its month
    SELECT date AS jpy_3m_as_of, value AS jpy_3m_pct
    FROM staging.fred_observations
    WHERE series_id = 'IR3TIB01JPM156N'
),
months_with_both_10y AS (
    SELECT f.month, f.ust_10y_pct, j.jgb_10y_pct, f.usd_3m_pct, f.usdjpy
    FROM fred_monthly_means AS f
    JOIN jgb_monthly_means AS j ON j.month = f.month
    WHERE f.ust_10y_pct IS NOT NULL
),
with_jpy_leg AS (  -- this month's JPY rate, else the latest published before it
    SELECT
        m.*,
        p.jpy_3m_as_of,
        -- maximum age of the carried JPY leg: 3 months; older is NULL, never a stale headline
        datediff('month', p.jpy_3m_as_of, m.month) AS jpy_3m_age_months,
        CASE WHEN datediff('month', p.jpy_3m_as_of, m.month) <= 3 THEN p.jpy_3m_pct END
            AS jpy_3m_pct,
        -- partial: an input's newest quote is before the month's last weekday; a 10-year
        -- leg makes the yields and pickups partial, USD/JPY (when it has quotes) its mean only
        least(q.ust_last, q.jgb_last) < m.last_weekday AS yields_partial,
        m.usdjpy IS NOT NULL AND q.fx_last < m.last_weekday AS usdjpy_partial
    FROM (SELECT *, last_day(month)
              - CASE isodow(last_day(month)) WHEN 6 THEN 1 WHEN 7 THEN 2 ELSE 0 END
              AS last_weekday
          FROM months_with_both_10y) AS m
    CROSS JOIN last_quotes AS q
    ASOF LEFT JOIN jpy_3m_published AS p ON p.jpy_3m_as_of <= m.month
),
hedged AS (
    SELECT
        *,
        yields_partial OR usdjpy_partial AS is_partial_month,
        -- no hedged or pickup column uses usdjpy: a late USD/JPY alone does not make them move
        coalesce(jpy_3m_as_of < month AND jpy_3m_pct IS NOT NULL, false) OR yields_partial
            AS is_provisional,
        usd_3m_pct - jpy_3m_pct AS hedge_cost_pct,
        ust_10y_pct - (usd_3m_pct - jpy_3m_pct) AS hedged_ust_10y_pct
    FROM with_jpy_leg
)
SELECT  -- rounded to what the inputs support: percent 0.0001, bp 0.01 (from unrounded parts)
    month,
    round(ust_10y_pct, 4) AS ust_10y_pct,
    round(jgb_10y_pct, 4) AS jgb_10y_pct,
    round(usd_3m_pct, 4) AS usd_3m_pct,
    round(jpy_3m_pct, 4) AS jpy_3m_pct,
    jpy_3m_as_of,
    jpy_3m_age_months,
    is_provisional,
    is_partial_month,
    round(hedge_cost_pct, 4) AS hedge_cost_pct,
    round(hedged_ust_10y_pct, 4) AS hedged_ust_10y_pct,
    round((ust_10y_pct - jgb_10y_pct) * 100, 2) AS unhedged_pickup_bp,
    round((hedged_ust_10y_pct - jgb_10y_pct) * 100, 2) AS hedged_pickup_bp,
    round(usdjpy, 4) AS usdjpy
FROM hedged
ORDER BY month;

COMMENT ON TABLE marts.fx_hedged_yields_monthly IS 'After hedging the yen, does a Japanese investor still earn more in USTs than in JGBs? One row per month with at least one DGS10 and one MOF 10-year JGB observation (the current month is a partial mean: is_partial_month). Percent columns are rounded to 0.0001 and bp columns to 0.01, what the inputs support (yields are published with 2-3 decimals); bp are computed before rounding. Monthly values of daily series are the mean of the month''s published observations. Hedge cost is approximated by the 3-month short-rate differential: it IGNORES THE CROSS-CURRENCY BASIS (which usually makes hedging dearer for yen investors) and MIXES A BILL RATE (DGS3MO) WITH AN INTERBANK RATE (IR3TIB01JPM156N).';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.month IS 'Month, dated on its first day.';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.ust_10y_pct IS 'Percent: mean of the month''s published FRED DGS10 observations, rounded to 0.0001.';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.jgb_10y_pct IS 'Percent: mean of the month''s published MOF 10-year JGB yields (staging.jgb_yields tenor_years = 10).';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.usd_3m_pct IS 'Percent: mean of the month''s FRED DGS3MO (3-month T-bill, bond-equivalent constant maturity), the USD leg of the hedge cost. A bill rate, not an interbank rate. NULL if none published that month.';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.jpy_3m_pct IS 'Percent: FRED IR3TIB01JPM156N (OECD, Japan 3-month interbank rate, monthly) for jpy_3m_as_of. An interbank rate, not a bill rate. Carried forward from the latest published month when this month is not yet published (see is_provisional), for at most 3 months (maximum age: jpy_3m_age_months <= 3); NULL when the latest published value is older than that, and before the series starts (2002-04). Rounded to 0.0001.';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.jpy_3m_as_of IS 'Month of the latest IR3TIB01JPM156N value published for this month or earlier: the one in jpy_3m_pct, or, when jpy_3m_pct is NULL because it is older than 3 months, the one that was too old to use.';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.is_provisional IS 'True when the row will change as data arrives: the JPY leg is carried forward (jpy_3m_as_of earlier than month, at most 3 months, because OECD publishes it 1-3 months late: every hedged column will change when it is published), or a 10-year leg is partial (is_partial_month because of DGS10 or the MOF 10-year; a month partial only in USD/JPY is not provisional, as no hedged or pickup column uses usdjpy). marts.indicator_series, marts.latest_indicators and marts.threshold_events carry this flag on.';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.hedge_cost_pct IS 'Percent per year: usd_3m_pct - jpy_3m_pct, the short-rate differential approximating the cost of rolling 3-month USD/JPY forwards. Ignores the cross-currency basis; mixes a bill rate (DGS3MO) with an interbank rate (IR3TIB01JPM156N).';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.hedged_ust_10y_pct IS 'Percent: ust_10y_pct - hedge_cost_pct, the UST 10-year yield to a yen investor hedged with rolling 3-month forwards (basis ignored, bill vs interbank rates mixed).';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.unhedged_pickup_bp IS 'Basis points: (ust_10y_pct - jgb_10y_pct) x 100, monthly means, rounded to 0.01 bp.';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.hedged_pickup_bp IS 'Basis points: (hedged_ust_10y_pct - jgb_10y_pct) x 100; below 0 means a hedged UST yields less than a JGB. Rounded to 0.01 bp; NULL when the JPY leg is older than 3 months. Provisional when is_provisional; basis ignored, bill vs interbank rates mixed.';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.usdjpy IS 'Yen per US dollar: mean of the month''s published FRED DEXJPUS observations; NULL if none. A partial mean while DEXJPUS has not reached the month''s last weekday (is_partial_month).';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.jpy_3m_age_months IS 'Whole calendar months from jpy_3m_as_of to month (0 = this month published). The JPY leg is used up to 3; beyond that jpy_3m_pct and every hedged column are NULL.';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.is_partial_month IS 'True when the month is not over in the data: the newest DGS10 or MOF 10-year quote (whichever is older) is dated before the month''s last weekday, or the month has DEXJPUS quotes and the newest DEXJPUS quote is (H.10 is published about a week after the yields), so a monthly mean covers part of the month only. A month ending on a Tokyo or US holiday stays partial until the next month''s first quote.';
