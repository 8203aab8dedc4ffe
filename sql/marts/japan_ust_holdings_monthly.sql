-- Japan's holdings of US Treasuries beside China, the UK and all foreign holders: share, 1/3/12-month changes and Japan's rank among countries.
-- depends_on: tic/tic_holdings

CREATE OR REPLACE TABLE marts.japan_ust_holdings_monthly AS
WITH holders_by_month AS (
    SELECT
        month,
        max(holdings_usd_bn) FILTER (WHERE holder_code = 'japan') AS japan_usd_bn,
        max(holdings_usd_bn) FILTER (WHERE holder_code = 'china_mainland') AS china_usd_bn,
        max(holdings_usd_bn) FILTER (WHERE holder_code = 'united_kingdom') AS uk_usd_bn,
        max(holdings_usd_bn) FILTER (WHERE holder_code = 'grand_total') AS foreign_total_usd_bn,
        max(holdings_usd_bn) FILTER (WHERE holder_code = 'foreign_official')
            AS foreign_official_usd_bn
    FROM staging.tic_holdings
    GROUP BY month
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
SELECT
    h.month,
    h.japan_usd_bn,
    h.china_usd_bn,
    h.uk_usd_bn,
    h.foreign_total_usd_bn,
    h.foreign_official_usd_bn,
    h.japan_usd_bn / nullif(h.foreign_total_usd_bn, 0) * 100 AS japan_share_pct,
    h.japan_usd_bn - m1.japan_usd_bn AS japan_chg_1m_usd_bn,
    h.japan_usd_bn - m3.japan_usd_bn AS japan_chg_3m_usd_bn,
    h.japan_usd_bn - m12.japan_usd_bn AS japan_chg_12m_usd_bn,
    japan.holder_rank AS japan_rank,
    largest.country AS largest_holder
FROM holders_by_month AS h
LEFT JOIN holders_by_month AS m1 ON m1.month = (h.month - INTERVAL 1 MONTH)::DATE
LEFT JOIN holders_by_month AS m3 ON m3.month = (h.month - INTERVAL 3 MONTH)::DATE
LEFT JOIN holders_by_month AS m12 ON m12.month = (h.month - INTERVAL 12 MONTH)::DATE
LEFT JOIN country_ranks AS japan ON japan.month = h.month AND japan.holder_code = 'japan'
LEFT JOIN country_ranks AS largest ON largest.month = h.month AND largest.holder_order = 1
ORDER BY h.month;

COMMENT ON TABLE marts.japan_ust_holdings_monthly IS 'Major foreign holders of US Treasury securities (TIC, end-of-month market value, billions of USD), one row per month present in staging.tic_holdings. Holdings change through net purchases and through price changes; see marts.capital_flow_monthly for the split. TIC attributes holdings to the custodian''s country, not the beneficial owner''s.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.month IS 'Month of the end-of-month position, dated on its first day.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_usd_bn IS 'Billions of USD: Japan''s holdings (staging.tic_holdings holder_code = ''japan''); NULL if absent.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.china_usd_bn IS 'Billions of USD: China, Mainland (holder_code = ''china_mainland'').';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.uk_usd_bn IS 'Billions of USD: United Kingdom (holder_code = ''united_kingdom''; included the Channel Islands and the Isle of Man until Feb-2016).';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.foreign_total_usd_bn IS 'Billions of USD: all foreign holders, TIC Grand Total (holder_code = ''grand_total'').';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.foreign_official_usd_bn IS 'Billions of USD: foreign official holders, all countries (memo line holder_code = ''foreign_official''; overlaps the countries).';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_share_pct IS 'Percent: japan_usd_bn / foreign_total_usd_bn x 100.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_chg_1m_usd_bn IS 'Billions of USD: japan_usd_bn - japan_usd_bn of the calendar month one month earlier; NULL if that month is absent.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_chg_3m_usd_bn IS 'Billions of USD: japan_usd_bn - japan_usd_bn of the calendar month three months earlier; NULL if that month is absent.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_chg_12m_usd_bn IS 'Billions of USD: japan_usd_bn - japan_usd_bn of the same month a year earlier; NULL if that month is absent.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.japan_rank IS 'Japan''s rank by holdings among rows with holder_type = ''country'' that month (1 = largest; ties share a rank). Totals, memo lines and regional groups are not ranked. NULL if Japan is absent.';
COMMENT ON COLUMN marts.japan_ust_holdings_monthly.largest_holder IS 'TIC label of the largest country holder that month (ties broken by holder_code).';
