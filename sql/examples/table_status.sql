-- How fresh is each table, and did every check pass? Read this before trusting a number.
-- check_status: fail (the last batch was rejected, previous data kept), warn, pass, none.
SELECT schema_name, table_name, rows, last_date, refreshed_at, check_status, failed_checks,
       freshness_warning
FROM meta.table_status
WHERE table_name NOT LIKE '%\_history' ESCAPE '\'
ORDER BY check_status = 'pass', schema_name, table_name;
