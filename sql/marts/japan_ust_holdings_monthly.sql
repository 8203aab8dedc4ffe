-- Japan's holdings of US Treasuries beside China, the UK and all foreign holders: share, 1/3/12-month changes and Japan's rank among countries.
-- depends_on: tic/tic_holdings
-- keys: month
-- range: japan_usd_bn 0 5000
-- range: foreign_total_usd_bn 0 50000
-- range: japan_share_pct 0 100
-- range: japan_chg_1m_usd_bn -250 250
-- range: japan_series_break_usd_bn -250 250

CREATE OR REPLACE TABLE marts.japan_ust_holdings_monthly AS
WITH holders_by_month AS (
    SELECT
        month,
        max(holdings_usd_bn) FILTER (WHERE holder_code = 'japan') AS japan_usd_bn,
        max(old_series_usd_bn) FILTER (WHERE holder_code = 'japan') AS japan_old_series_usd_bn,
        max(holdings_usd_bn) FILTER (WHERE holder_code = 'china_mainland') AS china_usd_bn,
        max(holdings_usd_bn) FILTER (WHERE holder_code = 'united_kingdom') AS uk_usd_bn,
        max(holdings_usd_bn) FILTER (WHERE holder_code = 'grand_total') AS foreign_total_usd_bn,
        max(holdings_usd_bn) FILTER (WHERE holder_code = 'foreign_official')
            AS foreign_official_usd_bn,
        -- a month TIC printed twice: the new survey series beside the old one
        coalesce(bool_or(old_series_usd_bn IS NOT NULL), false) AS is_series_break
    FROM staging.tic_holdings
    GROUP BY month
),
break_linked AS (
    -- Chain-linking: the jump at a break (new minus old series, same month) is not a flow.
    -- Summing the jumps up to each month gives a level free of breaks, japan_usd_bn minus
    -- japan_breaks_to_date_usd_bn; its differences are the break-adjusted changes. Across the
    -- June 2008 break: (628.0 - 580.4) = 47.6 removed, 52.7 raw becomes 580.4 - 575.3 = 5.1.
    SELECT
        *,
        coalesce(japan_usd_bn - japan_old_series_usd_bn, 0) AS japan_series_break_usd_bn,
        sum(coalesce(japan_usd_bn - japan_old_series_usd_bn, 0)) OVER (ORDER BY month)
            AS japan_breaks_to_date_usd_bn
    FROM holders_by_month
),
unadjusted_breaks(month) AS (
    -- Series breaks TIC printed no comparison value for, so they stay in the changes
    -- (mfhhis01.txt footnote 16: September 2011 switches to SLT-reported bonds and notes;
    -- footnote 17: December 2011, Series XIII). Declared here once; the parser does not keep
    -- footnotes.
    VALUES (DATE '2011-09-01'), (DATE '2011-12-01')
),
country_ranks AS (  -- countries only: totals, memo lines and regional groups are never ranked
    SELECT
        month,
        holder_code,
        country,
        rank() OVER (PARTITION BY month ORDER BY holdings_usd_bn DESC) AS holder_rank,
        row_number() OVER (PARTITION BY month ORDER BY holdings_usd_bn DESC, holder_code)
            AS holder_order
    FROM staging.tic_holdings
    WHERE holder_type = 'country' AND holdings_usd_bn IS NOT NULL
)
SELECT  -- USD bn rounded to 0.001, percent to 0.0001 (TIC publishes 0.1 bn)
    h.month,
    round(h.japan_usd_bn, 3) AS japan_usd_bn,
    round(h.china_usd_bn, 3) AS china_usd_bn,
    round(h.uk_usd_bn, 3) AS uk_usd_bn,
    round(h.foreign_total_usd_bn, 3) AS foreign_total_usd_bn,
    round(h.foreign_official_usd_bn, 3) AS foreign_official_usd_bn,
    round(h.japan_usd_bn / nullif(h.foreign_total_usd_bn, 0) * 100, 4) AS japan_share_pct,
    round(h.japan_usd_bn - m1.japan_usd_bn
          - (h.japan_breaks_to_date_usd_bn - m1.japan_breaks_to_date_usd_bn), 3)
        AS japan_chg_1m_usd_bn,
    round(h.japan_usd_bn - m3.japan_usd_bn
          - (h.japan_breaks_to_date_usd_bn - m3.japan_breaks_to_date_usd_bn), 3)
        AS japan_chg_3m_usd_bn,
    round(h.japan_usd_bn - m12.japan_usd_bn
          - (h.japan_breaks_to_date_usd_bn - m12.japan_breaks_to_date_usd_bn), 3)
        AS japan_chg_12m_usd_bn,
    round(h.japan_usd_bn - m1.japan_usd_bn, 3) AS japan_chg_1m_unadjusted_usd_bn,
    round(h.japan_usd_bn - m3.japan_usd_bn, 3) AS japan_chg_3m_unadjusted_usd_bn,
    round(h.japan_usd_bn - m12.japan_usd_bn, 3) AS japan_chg_12m_unadjusted_usd_bn,
    h.is_series_break,
    h.month IN (SELECT month FROM unadjusted_breaks) AS has_unadjusted_break,
    EXISTS (SELECT 1 FROM unadjusted_breaks AS b
            WHERE b.month > h.month - INTERVAL 3 MONTH AND b.month <= h.month)
        AS japan_chg_3m_has_unadjusted_break,
    EXISTS (SELECT 1 FROM unadjusted_breaks AS b
            WHERE b.month > h.month - INTERVAL 12 MONTH AND b.month <= h.month)
        AS japan_chg_12m_has_unadjusted_break,
    round(h.japan_old_series_usd_bn, 3) AS japan_old_series_usd_bn,
    round(h.japan_series_break_usd_bn, 3) AS japan_series_break_usd_bn,
    japan.holder_rank AS japan_rank,
    largest.country AS largest_holder
FROM break_linked AS h
LEFT JOIN break_linked AS m1 ON m1.month = (h.month - INTERVAL 1 MONTH)::DATE
LEFT JOIN break_linked AS m3 ON m3.month = (h.month - INTERVAL 3 MONTH)::DATE
LEFT JOIN break_linked AS m12 ON m12.month = (h.month - INTERVAL 12 MONTH)::DATE
LEFT JOIN country_ranks AS japan ON japan.month = h.month AND japan.holder_code = 'japan'
LEFT JOIN country_ranks AS largest ON largest.month = h.month AND largest.holder_order = 1
ORDER BY h.month;

COMMENT ON TABLE marts.japan_ust_holdings_monthly IS 'Major foreign holders of US Treasury securities (TIC, end-of-month market value, billions of USD), one row per month present in staging.tic_holdings. Holdings change through net purchases and through price changes; see marts.capital_flow_monthly for the split. TIC attributes holdings to the custodian''s country, not the beneficial owner''s. TIC re-bases the series on each annual survey (June 2002-2011; March 2000): at such a break the file prints the month twice, and the jump between the two series is not a flow, so the japan_chg_ columns are break-adjusted and the _unadjusted_ ones keep the plain differences. USD bn rounded to 0.001, percent to 0.0001.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.month IS 'Month of the end-of-month position, dated on its first day.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_usd_bn IS 'Billions of USD: Japan''s holdings (staging.tic_holdings holder_code = ''japan''); NULL if absent.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.china_usd_bn IS 'Billions of USD: China, Mainland (holder_code = ''china_mainland'').';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.uk_usd_bn IS 'Billions of USD: United Kingdom (holder_code = ''united_kingdom''; included the Channel Islands and the Isle of Man until Feb-2016).';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.foreign_total_usd_bn IS 'Billions of USD: all foreign holders, TIC Grand Total (holder_code = ''grand_total'').';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.foreign_official_usd_bn IS 'Billions of USD: foreign official holders, all countries (memo line holder_code = ''foreign_official''; overlaps the countries).';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_share_pct IS 'Percent: japan_usd_bn / foreign_total_usd_bn x 100.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_chg_1m_usd_bn IS 'Billions of USD, break-adjusted: japan_usd_bn - japan_usd_bn of the previous calendar month, minus any series-break jump in between (japan_series_break_usd_bn), so at a break month the base is the old series'' estimate: 2008-06 = 580.4 - 575.3 = +5.1, not 628.0 - 575.3 = +52.7. September 2011 (+77.3) and December 2011 are breaks TIC printed no comparison value for: their whole change is here, flagged by has_unadjusted_break. NULL if the previous month is absent.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_chg_3m_usd_bn IS 'Billions of USD, break-adjusted: japan_usd_bn - japan_usd_bn three calendar months earlier, minus the series-break jumps of the months after that one up to this one (chain-linked across a break). A window holding September 2011 or December 2011 (2011-09 to 2012-02) keeps those unadjustable breaks: japan_chg_3m_has_unadjusted_break. NULL if that month is absent.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_chg_12m_usd_bn IS 'Billions of USD, break-adjusted: japan_usd_bn - japan_usd_bn of the same month a year earlier, minus the series-break jumps of the 12 months ending with this one (every 12-month change from 2002-06 to 2012-05 spans a flagged one; those from 2011-09 to 2012-11 also span September 2011 and/or December 2011, breaks TIC printed no comparison value for, which stay in the change: japan_chg_12m_has_unadjusted_break). NULL if that month is absent.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_rank IS 'Japan''s rank by holdings among rows with holder_type = ''country'' that month (1 = largest; ties share a rank). Totals, memo lines and regional groups are not ranked. NULL if Japan is absent.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.largest_holder IS 'TIC label of the largest country holder that month (ties broken by holder_code).';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_chg_1m_unadjusted_usd_bn IS 'Billions of USD: japan_usd_bn - japan_usd_bn of the previous calendar month as published, series break included (2008-06: +52.7, of which +47.6 is the break). Prefer japan_chg_1m_usd_bn.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_chg_3m_unadjusted_usd_bn IS 'Billions of USD: japan_usd_bn - japan_usd_bn three calendar months earlier as published, series breaks included.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_chg_12m_unadjusted_usd_bn IS 'Billions of USD: japan_usd_bn - japan_usd_bn a year earlier as published, series breaks included.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.is_series_break IS 'True in a month TIC re-based on a new survey and printed twice in mfhhis01.txt (new series, and the old one "for comparison only"): March 2000 and June 2002-2011. September 2011 (footnote 16, SLT-reported bonds and notes) and December 2011 (footnote 17, SLT-based Series XIII) are breaks too, but TIC prints no comparison value for them, so they are not flagged here and cannot be adjusted: see has_unadjusted_break.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.has_unadjusted_break IS 'True when japan_chg_1m_usd_bn spans a series break TIC printed no comparison value for, so the break stays in the change (and in marts.capital_flow_monthly.valuation_and_other_usd_bn): September 2011 (mfhhis01.txt footnote 16, switch to SLT-reported bonds and notes; Japan +77.3) and December 2011 (footnote 17, Series XIII). Read such a change as flow + valuation + break.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_chg_3m_has_unadjusted_break IS 'True when the window of japan_chg_3m_usd_bn (the 3 months ending with this one) holds September 2011 or December 2011, breaks TIC printed no comparison value for (footnotes 16 and 17): 2011-09 to 2012-02.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_chg_12m_has_unadjusted_break IS 'True when the window of japan_chg_12m_usd_bn (the 12 months ending with this one) holds September 2011 or December 2011, breaks TIC printed no comparison value for (footnotes 16 and 17): 2011-09 to 2012-11.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_old_series_usd_bn IS 'Billions of USD: at a series break, the previous series'' estimate of Japan''s holdings for this month (staging.tic_holdings.old_series_usd_bn); NULL in other months.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_series_break_usd_bn IS 'Billions of USD: japan_usd_bn - japan_old_series_usd_bn at a series break (the re-basing jump, not a flow), 0 in other months. Taken out of the japan_chg_ columns and of marts.capital_flow_monthly.valuation_and_other_usd_bn.';
