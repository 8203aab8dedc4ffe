-- Monthly change in Japan's UST holdings split into net purchases (TIC) and valuation/other, beside MOF's foreign bond flows by investor type and the yield backdrop.
-- depends_on: marts/japan_ust_holdings_monthly marts/fx_hedged_yields_monthly fred/FORLTTREASNET42609 fred/FORSTTREASNET42609 fred/DEXJPUS mof/jgb_yields mof/securities_flows_monthly mof/securities_flows_by_investor

CREATE OR REPLACE TABLE marts.capital_flow_monthly AS
WITH holdings AS (
    SELECT month, japan_chg_1m_usd_bn
    FROM marts.japan_ust_holdings_monthly
    WHERE japan_usd_bn IS NOT NULL
),
tic_net_purchases AS (  -- TIC CSLT via FRED, monthly, dated on the first of the month
    SELECT
        date AS month,
        max(value_usd_bn) FILTER (WHERE series_id = 'FORLTTREASNET42609')
            AS japan_lt_treasury_net_purchases_usd_bn,
        max(value_usd_bn) FILTER (WHERE series_id = 'FORSTTREASNET42609')
            AS japan_st_treasury_net_purchases_usd_bn
    FROM staging.fred_observations
    WHERE series_id IN ('FORLTTREASNET42609', 'FORSTTREASNET42609')
    GROUP BY date
),
mof_monthly AS (  -- blank not-yet-published months are not flows
    SELECT month, foreign_long_term_debt_net_jpy_100m
    FROM staging.mof_securities_flows_monthly
    WHERE foreign_long_term_debt_net_jpy_100m IS NOT NULL
),
mof_by_investor AS (
    SELECT
        month,
        max(net_jpy_100m) FILTER (WHERE investor_type = 'life_insurers')
            AS life_insurers_net_jpy_100m,
        max(net_jpy_100m) FILTER (WHERE investor_type = 'trust_accounts')
            AS trust_accounts_net_jpy_100m,
        max(net_jpy_100m) FILTER (WHERE investor_type = 'banks') AS banks_net_jpy_100m
    FROM staging.mof_securities_flows_by_investor
    GROUP BY month
),
usdjpy_monthly_means AS (
    SELECT date_trunc('month', date)::DATE AS month, avg(value) AS usdjpy
    FROM staging.fred_observations
    WHERE series_id = 'DEXJPUS'
    GROUP BY ALL
),
jgb_10y_monthly_means AS (
    SELECT date_trunc('month', date)::DATE AS month, avg(yield_pct) AS jgb_10y_pct
    FROM staging.jgb_yields
    WHERE tenor_years = 10
    GROUP BY ALL
),
flow_months AS (  -- the grain: a month with any flow or holdings figure
    SELECT month FROM holdings
    UNION SELECT month FROM tic_net_purchases
    UNION SELECT month FROM mof_monthly
    UNION SELECT month FROM mof_by_investor
)
SELECT
    f.month,
    h.japan_chg_1m_usd_bn,
    t.japan_lt_treasury_net_purchases_usd_bn,
    t.japan_st_treasury_net_purchases_usd_bn,
    t.japan_lt_treasury_net_purchases_usd_bn + t.japan_st_treasury_net_purchases_usd_bn
        AS japan_treasury_net_purchases_usd_bn,
    h.japan_chg_1m_usd_bn
        - (t.japan_lt_treasury_net_purchases_usd_bn + t.japan_st_treasury_net_purchases_usd_bn)
        AS valuation_and_other_usd_bn,
    m.foreign_long_term_debt_net_jpy_100m AS mof_foreign_long_term_debt_net_jpy_100m,
    m.foreign_long_term_debt_net_jpy_100m * 1e8 / x.usdjpy / 1e9
        AS mof_foreign_long_term_debt_net_usd_bn,
    i.life_insurers_net_jpy_100m,
    i.trust_accounts_net_jpy_100m,
    i.banks_net_jpy_100m,
    x.usdjpy,
    hy.hedged_pickup_bp,
    j.jgb_10y_pct,
    (j.jgb_10y_pct - jp.jgb_10y_pct) * 100 AS jgb_10y_chg_1m_bp
FROM flow_months AS f
LEFT JOIN holdings AS h ON h.month = f.month
LEFT JOIN tic_net_purchases AS t ON t.month = f.month
LEFT JOIN mof_monthly AS m ON m.month = f.month
LEFT JOIN mof_by_investor AS i ON i.month = f.month
LEFT JOIN usdjpy_monthly_means AS x ON x.month = f.month
LEFT JOIN marts.fx_hedged_yields_monthly AS hy ON hy.month = f.month
LEFT JOIN jgb_10y_monthly_means AS j ON j.month = f.month
LEFT JOIN jgb_10y_monthly_means AS jp ON jp.month = (f.month - INTERVAL 1 MONTH)::DATE
ORDER BY f.month;

COMMENT ON TABLE marts.capital_flow_monthly IS 'Is Japan selling USTs or are prices moving? One row per month with any of: Japan''s TIC holdings, TIC net purchases (FRED FORLTTREASNET42609/FORSTTREASNET42609) or MOF securities flows. change in holdings = net purchases + valuation and other changes (TIC''s own decomposition). MOF flows are Japanese residents'' net purchases of foreign long-term debt of all issuers (not only USTs), 100 million yen, designated major investors basis.';
COMMENT ON COLUMN marts.capital_flow_monthly.month IS 'Month, dated on its first day.';
COMMENT ON COLUMN marts.capital_flow_monthly.japan_chg_1m_usd_bn IS 'Billions of USD: change in Japan''s UST holdings from the previous calendar month (marts.japan_ust_holdings_monthly, TIC Major Foreign Holders, bills and bonds/notes).';
COMMENT ON COLUMN marts.capital_flow_monthly.japan_lt_treasury_net_purchases_usd_bn IS 'Billions of USD: Japan''s net purchases of long-term US Treasury bonds and notes, FRED FORLTTREASNET42609 (TIC CSLT, published in millions, value_usd_bn). Positive = net buying.';
COMMENT ON COLUMN marts.capital_flow_monthly.japan_st_treasury_net_purchases_usd_bn IS 'Billions of USD: Japan''s net purchases of short-term US Treasury bills, FRED FORSTTREASNET42609 (value_usd_bn; series starts 2003-03). Positive = net buying.';
COMMENT ON COLUMN marts.capital_flow_monthly.japan_treasury_net_purchases_usd_bn IS 'Billions of USD: japan_lt_treasury_net_purchases_usd_bn + japan_st_treasury_net_purchases_usd_bn; NULL if either is missing.';
COMMENT ON COLUMN marts.capital_flow_monthly.valuation_and_other_usd_bn IS 'Billions of USD: japan_chg_1m_usd_bn - japan_treasury_net_purchases_usd_bn, the part of the change in holdings not explained by net purchases (price changes, reclassifications, survey revisions). NULL if any input is missing.';
COMMENT ON COLUMN marts.capital_flow_monthly.mof_foreign_long_term_debt_net_jpy_100m IS '100 million yen: Japanese residents'' net purchases of foreign long-term debt securities (all issuers, all currencies), MOF montha1 (staging.mof_securities_flows_monthly). Positive = net buying abroad. Not continuous across 2014-01 (investment-trust reclassification).';
COMMENT ON COLUMN marts.capital_flow_monthly.mof_foreign_long_term_debt_net_usd_bn IS 'Billions of USD: mof_foreign_long_term_debt_net_jpy_100m x 1e8 / usdjpy / 1e9, converted at the month''s mean DEXJPUS; NULL if no DEXJPUS that month.';
COMMENT ON COLUMN marts.capital_flow_monthly.life_insurers_net_jpy_100m IS '100 million yen: life insurers'' net purchases of foreign long-term debt, MOF monthb3 (investor_type = ''life_insurers''); NULL where not published.';
COMMENT ON COLUMN marts.capital_flow_monthly.trust_accounts_net_jpy_100m IS '100 million yen: net purchases by banks'' and trust banks'' trust accounts (mostly pension money), MOF monthb3 (investor_type = ''trust_accounts''); NULL where not published.';
COMMENT ON COLUMN marts.capital_flow_monthly.banks_net_jpy_100m IS '100 million yen: net purchases by banks (banking accounts), MOF monthb3 (investor_type = ''banks''); NULL where not published.';
COMMENT ON COLUMN marts.capital_flow_monthly.usdjpy IS 'Yen per US dollar: mean of the month''s published FRED DEXJPUS observations (the rate used for mof_foreign_long_term_debt_net_usd_bn).';
COMMENT ON COLUMN marts.capital_flow_monthly.hedged_pickup_bp IS 'Basis points: FX-hedged UST 10-year yield minus JGB 10-year yield, from marts.fx_hedged_yields_monthly (provisional there when the JPY rate is carried forward; basis ignored).';
COMMENT ON COLUMN marts.capital_flow_monthly.jgb_10y_pct IS 'Percent: mean of the month''s published MOF 10-year JGB yields.';
COMMENT ON COLUMN marts.capital_flow_monthly.jgb_10y_chg_1m_bp IS 'Basis points: (jgb_10y_pct - jgb_10y_pct of the previous calendar month) x 100; NULL if either month has no quote.';
