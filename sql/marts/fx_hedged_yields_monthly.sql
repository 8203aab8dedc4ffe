-- Monthly UST and JGB 10-year yields, the yen investor's approximate 3-month FX hedge cost, and the unhedged and hedged UST pickup over JGBs.
-- depends_on: fred/DGS10 fred/DGS3MO fred/IR3TIB01JPM156N fred/DEXJPUS mof/jgb_yields

CREATE OR REPLACE TABLE marts.fx_hedged_yields_monthly AS
WITH fred_monthly_means AS (  -- mean of the month's published daily observations
    SELECT
        date_trunc('month', date)::DATE AS month,
        avg(value) FILTER (WHERE series_id = 'DGS10') AS ust_10y_pct,
        avg(value) FILTER (WHERE series_id = 'DGS3MO') AS usd_3m_pct,
        avg(value) FILTER (WHERE series_id = 'DEXJPUS') AS usdjpy
    FROM staging.fred_observations
    WHERE series_id IN ('DGS10', 'DGS3MO', 'DEXJPUS')
    GROUP BY ALL
),
jgb_monthly_means AS (
    SELECT date_trunc('month', date)::DATE AS month, avg(yield_pct) AS jgb_10y_pct
    FROM staging.jgb_yields
    WHERE tenor_years = 10
    GROUP BY ALL
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
    SELECT m.*, p.jpy_3m_pct, p.jpy_3m_as_of
    FROM months_with_both_10y AS m
    ASOF LEFT JOIN jpy_3m_published AS p ON p.jpy_3m_as_of <= m.month
),
hedged AS (
    SELECT
        *,
        coalesce(jpy_3m_as_of < month, false) AS is_provisional,
        usd_3m_pct - jpy_3m_pct AS hedge_cost_pct,
        ust_10y_pct - (usd_3m_pct - jpy_3m_pct) AS hedged_ust_10y_pct
    FROM with_jpy_leg
)
SELECT
    month,
    ust_10y_pct,
    jgb_10y_pct,
    usd_3m_pct,
    jpy_3m_pct,
    jpy_3m_as_of,
    is_provisional,
    hedge_cost_pct,
    hedged_ust_10y_pct,
    (ust_10y_pct - jgb_10y_pct) * 100 AS unhedged_pickup_bp,
    (hedged_ust_10y_pct - jgb_10y_pct) * 100 AS hedged_pickup_bp,
    usdjpy
FROM hedged
ORDER BY month;

COMMENT ON TABLE marts.fx_hedged_yields_monthly IS 'After hedging the yen, does a Japanese investor still earn more in USTs than in JGBs? One row per month with at least one DGS10 and one MOF 10-year JGB observation (the current month is a partial mean). Monthly values of daily series are the mean of the month''s published observations. Hedge cost is approximated by the 3-month short-rate differential: it IGNORES THE CROSS-CURRENCY BASIS (which usually makes hedging dearer for yen investors) and MIXES A BILL RATE (DGS3MO) WITH AN INTERBANK RATE (IR3TIB01JPM156N).';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.month IS 'Month, dated on its first day.';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.ust_10y_pct IS 'Percent: mean of the month''s published FRED DGS10 observations.';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.jgb_10y_pct IS 'Percent: mean of the month''s published MOF 10-year JGB yields (staging.jgb_yields tenor_years = 10).';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.usd_3m_pct IS 'Percent: mean of the month''s FRED DGS3MO (3-month T-bill, bond-equivalent constant maturity), the USD leg of the hedge cost. A bill rate, not an interbank rate. NULL if none published that month.';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.jpy_3m_pct IS 'Percent: FRED IR3TIB01JPM156N (OECD, Japan 3-month interbank rate, monthly) for jpy_3m_as_of. An interbank rate, not a bill rate. Carried forward from the latest published month when this month is not yet published (see is_provisional); NULL before the series starts (2002-04).';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.jpy_3m_as_of IS 'Month of the IR3TIB01JPM156N value used in jpy_3m_pct: this month, or the latest earlier published month.';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.is_provisional IS 'True when jpy_3m_as_of is earlier than month (the JPY leg is carried forward because OECD publishes it 1-3 months late); every hedged column of the row will change when it is published. False when no JPY value exists at all (hedged columns NULL).';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.hedge_cost_pct IS 'Percent per year: usd_3m_pct - jpy_3m_pct, the short-rate differential approximating the cost of rolling 3-month USD/JPY forwards. Ignores the cross-currency basis; mixes a bill rate (DGS3MO) with an interbank rate (IR3TIB01JPM156N).';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.hedged_ust_10y_pct IS 'Percent: ust_10y_pct - hedge_cost_pct, the UST 10-year yield to a yen investor hedged with rolling 3-month forwards (basis ignored, bill vs interbank rates mixed).';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.unhedged_pickup_bp IS 'Basis points: (ust_10y_pct - jgb_10y_pct) x 100, monthly means.';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.hedged_pickup_bp IS 'Basis points: (hedged_ust_10y_pct - jgb_10y_pct) x 100; below 0 means a hedged UST yields less than a JGB. Provisional when is_provisional; basis ignored, bill vs interbank rates mixed.';
COMMENT ON COLUMN marts.fx_hedged_yields_monthly.usdjpy IS 'Yen per US dollar: mean of the month''s published FRED DEXJPUS observations; NULL if none.';
