-- Japan's holdings of US Treasuries: level, changes over 1, 3 and 12 months, share of all foreign
-- holdings, and rank among holders (1 = largest) for the last two years of published months.
SELECT month, japan_usd_bn, japan_chg_1m_usd_bn, japan_chg_3m_usd_bn, japan_chg_12m_usd_bn,
       japan_share_pct, japan_rank, china_usd_bn, uk_usd_bn
FROM marts.japan_ust_holdings_monthly
WHERE month >= (SELECT max(month) FROM marts.japan_ust_holdings_monthly) - INTERVAL 2 YEAR
ORDER BY month DESC;
