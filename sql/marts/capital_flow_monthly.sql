-- Monthly change in Japan's UST holdings split into net purchases (TIC) and valuation/other, beside MOF's foreign bond flows by investor type and the yield backdrop.
-- depends_on: marts/japan_ust_holdings_monthly marts/fx_hedged_yields_monthly fred/FORLTTREASNET42609 fred/FORSTTREASNET42609 fred/DEXJPUS mof/jgb_yields mof/securities_flows_monthly mof/securities_flows_by_investor
-- keys: month
-- range: japan_chg_1m_usd_bn -250 250
-- range: valuation_and_other_usd_bn -250 250
-- range: usdjpy 50 400

CREATE OR REPLACE TABLE marts.capital_flow_monthly AS
WITH holdings AS (  -- break-adjusted change; the break itself kept apart
    SELECT month, japan_chg_1m_usd_bn, is_series_break, has_unadjusted_break,
        japan_series_break_usd_bn
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
usdjpy_monthly_means AS (  -- partial while DEXJPUS (a week late) has not reached month end
    SELECT date_trunc('month', date)::DATE AS month, avg(value::DECIMAL(18, 6)) AS usdjpy,
        max(date) AS last_quote
    FROM staging.fred_observations
    WHERE series_id = 'DEXJPUS'
    GROUP BY ALL
),
jgb_10y_monthly_means AS (
    SELECT date_trunc('month', date)::DATE AS month, avg(yield_pct::DECIMAL(18, 6)) AS jgb_10y_pct,
        max(date) AS last_quote
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
SELECT  -- USD bn rounded to 0.001, percent to 0.0001, bp to 0.01 (from unrounded parts)
    f.month,
    h.japan_chg_1m_usd_bn,
    h.is_series_break,
    h.has_unadjusted_break,
    h.japan_series_break_usd_bn AS series_break_usd_bn,
    round(t.japan_lt_treasury_net_purchases_usd_bn, 3) AS japan_lt_treasury_net_purchases_usd_bn,
    round(t.japan_st_treasury_net_purchases_usd_bn, 3) AS japan_st_treasury_net_purchases_usd_bn,
    round(t.japan_lt_treasury_net_purchases_usd_bn + t.japan_st_treasury_net_purchases_usd_bn, 3)
        AS japan_treasury_net_purchases_usd_bn,
    round(h.japan_chg_1m_usd_bn
        - (t.japan_lt_treasury_net_purchases_usd_bn + t.japan_st_treasury_net_purchases_usd_bn),
        3) AS valuation_and_other_usd_bn,
    m.foreign_long_term_debt_net_jpy_100m AS mof_foreign_long_term_debt_net_jpy_100m,
    round(m.foreign_long_term_debt_net_jpy_100m * 1e8 / x.usdjpy / 1e9, 3)
        AS mof_foreign_long_term_debt_net_usd_bn,
    i.life_insurers_net_jpy_100m,
    i.trust_accounts_net_jpy_100m,
    i.banks_net_jpy_100m,
    round(x.usdjpy, 4) AS usdjpy,
    hy.hedged_pickup_bp,
    coalesce(hy.is_provisional, false) AS hedged_pickup_is_provisional,
    round(j.jgb_10y_pct, 4) AS jgb_10y_pct,
    round((j.jgb_10y_pct - jp.jgb_10y_pct) * 100, 2) AS jgb_10y_chg_1m_bp,
    -- a mean of part of the month: the newest quote of a series is the month's own and
    -- before its last weekday (the row's usdjpy, jgb_10y_pct, or the hedged pickup's legs)
    coalesce(hy.is_partial_month, false)
        OR coalesce(x.last_quote = (SELECT max(date) FROM staging.fred_observations
                                    WHERE series_id = 'DEXJPUS')
                    AND x.last_quote < f.last_weekday, false)
        OR coalesce(j.last_quote = (SELECT max(date) FROM staging.jgb_yields
                                    WHERE tenor_years = 10)
                    AND j.last_quote < f.last_weekday, false)
        AS is_partial_month
FROM (SELECT month, last_day(month)
          - CASE isodow(last_day(month)) WHEN 6 THEN 1 WHEN 7 THEN 2 ELSE 0 END AS last_weekday
      FROM flow_months) AS f
LEFT JOIN holdings AS h ON h.month = f.month
LEFT JOIN tic_net_purchases AS t ON t.month = f.month
LEFT JOIN mof_monthly AS m ON m.month = f.month
LEFT JOIN mof_by_investor AS i ON i.month = f.month
LEFT JOIN usdjpy_monthly_means AS x ON x.month = f.month
LEFT JOIN marts.fx_hedged_yields_monthly AS hy ON hy.month = f.month
LEFT JOIN jgb_10y_monthly_means AS j ON j.month = f.month
LEFT JOIN jgb_10y_monthly_means AS jp ON jp.month = (f.month - INTERVAL 1 MONTH)::DATE
ORDER BY f.month;

COMMENT ON TABLE marts.capital_flow_monthly IS 'Is Japan selling USTs or are prices moving? USD bn rounded to 0.001, percent to 0.0001, bp to 0.01. One row per month with any of: Japan''s TIC holdings, TIC net purchases (FRED FORLTTREASNET42609/FORSTTREASNET42609) or MOF securities flows. change in holdings = net purchases + valuation and other changes (TIC''s own decomposition). MOF flows are Japanese residents'' net purchases of foreign long-term debt of all issuers (not only USTs), 100 million yen, designated major investors basis.';
COMMENT ON COLUMN marts.capital_flow_monthly.month IS 'Month, dated on its first day.';
COMMENT ON COLUMN marts.capital_flow_monthly.japan_chg_1m_usd_bn IS 'Billions of USD: change in Japan''s UST holdings from the previous calendar month, break-adjusted (marts.japan_ust_holdings_monthly, TIC Major Foreign Holders, bills and bonds/notes): a survey re-basing jump is in series_break_usd_bn, not here.';
COMMENT ON COLUMN marts.capital_flow_monthly.japan_lt_treasury_net_purchases_usd_bn IS 'Billions of USD: Japan''s net purchases of long-term US Treasury bonds and notes, FRED FORLTTREASNET42609 (TIC CSLT, published in millions, value_usd_bn). Positive = net buying.';
COMMENT ON COLUMN marts.capital_flow_monthly.japan_st_treasury_net_purchases_usd_bn IS 'Billions of USD: Japan''s net purchases of short-term US Treasury bills, FRED FORSTTREASNET42609 (value_usd_bn; series starts 2003-03). Positive = net buying.';
COMMENT ON COLUMN marts.capital_flow_monthly.japan_treasury_net_purchases_usd_bn IS 'Billions of USD: japan_lt_treasury_net_purchases_usd_bn + japan_st_treasury_net_purchases_usd_bn; NULL if either is missing.';
COMMENT ON COLUMN marts.capital_flow_monthly.valuation_and_other_usd_bn IS 'Billions of USD: japan_chg_1m_usd_bn - japan_treasury_net_purchases_usd_bn, the part of the break-adjusted change in holdings not explained by net purchases (price changes, reclassifications, custody shifts). Series breaks are excluded (see series_break_usd_bn): 2008-06 is 5.1 - net purchases, not 52.7 - net purchases; except September 2011 and December 2011, which TIC printed no comparison value for and which stay in (has_unadjusted_break). NULL if any input is missing.';
COMMENT ON COLUMN marts.capital_flow_monthly.mof_foreign_long_term_debt_net_jpy_100m IS '100 million yen: Japanese residents'' net purchases of foreign long-term debt securities (all issuers, all currencies), MOF montha1 (staging.mof_securities_flows_monthly). Positive = net buying abroad. Not continuous across 2014-01 (investment-trust reclassification).';
COMMENT ON COLUMN marts.capital_flow_monthly.mof_foreign_long_term_debt_net_usd_bn IS 'Billions of USD: mof_foreign_long_term_debt_net_jpy_100m x 1e8 / usdjpy / 1e9, converted at the month''s mean DEXJPUS, rounded to 0.001; NULL if no DEXJPUS that month.';
COMMENT ON COLUMN marts.capital_flow_monthly.life_insurers_net_jpy_100m IS '100 million yen: life insurers'' net purchases of foreign long-term debt, MOF monthb3 (investor_type = ''life_insurers''); NULL where not published.';
COMMENT ON COLUMN marts.capital_flow_monthly.trust_accounts_net_jpy_100m IS '100 million yen: net purchases by banks'' and trust banks'' trust accounts (mostly pension money), MOF monthb3 (investor_type = ''trust_accounts''); NULL where not published.';
COMMENT ON COLUMN marts.capital_flow_monthly.banks_net_jpy_100m IS '100 million yen: net purchases by banks (banking accounts), MOF monthb3 (investor_type = ''banks''); NULL where not published.';
COMMENT ON COLUMN marts.capital_flow_monthly.usdjpy IS 'Yen per US dollar: mean of the month''s published FRED DEXJPUS observations (the rate used for mof_foreign_long_term_debt_net_usd_bn).';
COMMENT ON COLUMN marts.capital_flow_monthly.hedged_pickup_bp IS 'Basis points: FX-hedged UST 10-year yield minus JGB 10-year yield, from marts.fx_hedged_yields_monthly (provisional there when the JPY rate is carried forward; basis ignored).';
COMMENT ON COLUMN marts.capital_flow_monthly.jgb_10y_pct IS 'Percent: mean of the month''s published MOF 10-year JGB yields, rounded to 0.0001.';
COMMENT ON COLUMN marts.capital_flow_monthly.jgb_10y_chg_1m_bp IS 'Basis points: (jgb_10y_pct - jgb_10y_pct of the previous calendar month) x 100, rounded to 0.01 bp; NULL if either month has no quote.';
COMMENT ON COLUMN marts.capital_flow_monthly.is_series_break IS 'True in a month TIC re-based Japan''s holdings on a new survey (marts.japan_ust_holdings_monthly.is_series_break); NULL when the month has no holdings row.';
COMMENT ON COLUMN marts.capital_flow_monthly.series_break_usd_bn IS 'Billions of USD: the survey re-basing jump in Japan''s holdings this month (new minus old series, 0 when no break); the unadjusted change is japan_chg_1m_usd_bn + series_break_usd_bn. Neither a flow nor a valuation change.';
COMMENT ON COLUMN marts.capital_flow_monthly.hedged_pickup_is_provisional IS 'True when hedged_pickup_bp will still change (marts.fx_hedged_yields_monthly.is_provisional: JPY leg carried forward, or a partial month).';
COMMENT ON COLUMN marts.capital_flow_monthly.is_partial_month IS 'True when the month is not over in the daily data, so usdjpy (and mof_foreign_long_term_debt_net_usd_bn, converted at it), jgb_10y_pct or hedged_pickup_bp is a mean of part of it: the newest DEXJPUS quote (published about a week after the yields) or MOF 10-year quote falls in this month before its last weekday, or marts.fx_hedged_yields_monthly.is_partial_month.';
COMMENT ON COLUMN marts.capital_flow_monthly.has_unadjusted_break IS 'True when japan_chg_1m_usd_bn, and so valuation_and_other_usd_bn, holds a series break TIC printed no comparison value for: September 2011 (mfhhis01.txt footnote 16, switch to SLT-reported bonds and notes; Japan +77.3 counted fully as flow + valuation) and December 2011 (footnote 17); from marts.japan_ust_holdings_monthly.has_unadjusted_break. NULL when the month has no holdings row.';
