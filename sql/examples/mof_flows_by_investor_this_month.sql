-- Japanese investors' net purchases of foreign long-term bonds by investor type in the latest
-- published month (MOF, 100 million yen; negative = net selling), beside the previous month
-- and the same month a year earlier. `unmapped_` types are ones MOF added or renamed.
WITH latest AS (SELECT max(month) AS month FROM staging.mof_securities_flows_by_investor)
SELECT
    f.investor_type,
    f.investor_label_ja,
    f.month,
    f.net_jpy_100m,
    prev.net_jpy_100m AS net_prev_month_jpy_100m,
    yago.net_jpy_100m AS net_year_ago_jpy_100m
FROM staging.mof_securities_flows_by_investor AS f
JOIN latest USING (month)
LEFT JOIN staging.mof_securities_flows_by_investor AS prev
  ON prev.investor_type = f.investor_type
 AND prev.month = (f.month - INTERVAL 1 MONTH)::DATE
LEFT JOIN staging.mof_securities_flows_by_investor AS yago
  ON yago.investor_type = f.investor_type
 AND yago.month = (f.month - INTERVAL 1 YEAR)::DATE
ORDER BY f.investor_type = 'all_investors' DESC, f.net_jpy_100m;
