-- UST and JGB yields at 2, 5, 10 and 30 years, same-date UST-JGB spreads, curve slopes, changes and the 2/10/30-year spreads' z-scores; one row per date on which both markets published a 10-year yield.
-- depends_on: fred/DGS2 fred/DGS5 fred/DGS10 fred/DGS30 fred/DEXJPUS mof/jgb_yields
-- keys: date
-- range: ust_10y_pct -2 25
-- range: jgb_10y_pct -1 15
-- range: spread_2y_bp -1000 2500
-- range: spread_10y_bp -1000 2500
-- range: spread_30y_bp -1000 2500
-- range: spread_2y_zscore -15 15
-- range: spread_10y_zscore -15 15
-- range: spread_30y_zscore -15 15
-- range: usdjpy 50 400

CREATE OR REPLACE TABLE marts.yield_spreads_daily AS
WITH ust_by_date AS (  -- FRED H.15 constant-maturity yields, tenors side by side
    SELECT
        date,
        max(value) FILTER (WHERE series_id = 'DGS2') AS ust_2y_pct,
        max(value) FILTER (WHERE series_id = 'DGS5') AS ust_5y_pct,
        max(value) FILTER (WHERE series_id = 'DGS10') AS ust_10y_pct,
        max(value) FILTER (WHERE series_id = 'DGS30') AS ust_30y_pct
    FROM staging.fred_observations
    WHERE series_id IN ('DGS2', 'DGS5', 'DGS10', 'DGS30')
    GROUP BY date
),
jgb_by_date AS (  -- MOF constant-maturity JGB yields; a tenor not yet issued has no row
    SELECT
        date,
        max(yield_pct) FILTER (WHERE tenor_years = 2) AS jgb_2y_pct,
        max(yield_pct) FILTER (WHERE tenor_years = 5) AS jgb_5y_pct,
        max(yield_pct) FILTER (WHERE tenor_years = 10) AS jgb_10y_pct,
        max(yield_pct) FILTER (WHERE tenor_years = 30) AS jgb_30y_pct
    FROM staging.jgb_yields
    WHERE tenor_years IN (2, 5, 10, 30)
    GROUP BY date
),
usdjpy_by_date AS (  -- H.10 noon rate in New York; absent on US holidays, never filled
    SELECT date, value AS usdjpy
    FROM staging.fred_observations
    WHERE series_id = 'DEXJPUS'
),
both_markets AS (  -- the grain: both markets published a 10-year yield that calendar date
    SELECT
        u.date,
        x.usdjpy,
        u.ust_2y_pct, u.ust_5y_pct, u.ust_10y_pct, u.ust_30y_pct,
        j.jgb_2y_pct, j.jgb_5y_pct, j.jgb_10y_pct, j.jgb_30y_pct
    FROM ust_by_date AS u
    JOIN jgb_by_date AS j ON j.date = u.date
    LEFT JOIN usdjpy_by_date AS x ON x.date = u.date
    WHERE u.ust_10y_pct IS NOT NULL AND j.jgb_10y_pct IS NOT NULL
),
spreads AS (  -- bp rounded to 0.01: inputs have at most 3 decimals in percent
    SELECT
        *,
        round((ust_2y_pct - jgb_2y_pct) * 100, 2) AS spread_2y_bp,
        round((ust_5y_pct - jgb_5y_pct) * 100, 2) AS spread_5y_bp,
        round((ust_10y_pct - jgb_10y_pct) * 100, 2) AS spread_10y_bp,
        round((ust_30y_pct - jgb_30y_pct) * 100, 2) AS spread_30y_bp,
        round((jgb_10y_pct - jgb_2y_pct) * 100, 2) AS jgb_2s10s_bp,
        round((jgb_30y_pct - jgb_10y_pct) * 100, 2) AS jgb_10s30s_bp,
        round((ust_10y_pct - ust_2y_pct) * 100, 2) AS ust_2s10s_bp
    FROM both_markets
),
-- z-scores: each spread over its own last 252 trading days, a trading day being a row of
-- this table (both markets published) on which that spread exists. Both markets trade on
-- about 238 common days a year, so 252 trading days span about 1.06 calendar years. A
-- window spanning more than 450 calendar days straddles a gap in the data (e.g. a DGS30
-- download without 2002-2006), so its z-score would not be about one year: NULL.
zscore_2y AS (
    SELECT date, CASE WHEN count(*) OVER last_252 = 252
                       AND date - min(date) OVER last_252 <= 450 THEN
        round((spread_2y_bp - avg(spread_2y_bp) OVER last_252)
              / nullif(stddev_samp(spread_2y_bp) OVER last_252, 0), 4) END AS spread_2y_zscore
    FROM spreads WHERE spread_2y_bp IS NOT NULL
    WINDOW last_252 AS (ORDER BY date ROWS BETWEEN 251 PRECEDING AND CURRENT ROW)
),
zscore_10y AS (
    SELECT date, CASE WHEN count(*) OVER last_252 = 252
                       AND date - min(date) OVER last_252 <= 450 THEN
        round((spread_10y_bp - avg(spread_10y_bp) OVER last_252)
              / nullif(stddev_samp(spread_10y_bp) OVER last_252, 0), 4) END AS spread_10y_zscore
    FROM spreads WHERE spread_10y_bp IS NOT NULL
    WINDOW last_252 AS (ORDER BY date ROWS BETWEEN 251 PRECEDING AND CURRENT ROW)
),
zscore_30y AS (
    SELECT date, CASE WHEN count(*) OVER last_252 = 252
                       AND date - min(date) OVER last_252 <= 450 THEN
        round((spread_30y_bp - avg(spread_30y_bp) OVER last_252)
              / nullif(stddev_samp(spread_30y_bp) OVER last_252, 0), 4) END AS spread_30y_zscore
    FROM spreads WHERE spread_30y_bp IS NOT NULL
    WINDOW last_252 AS (ORDER BY date ROWS BETWEEN 251 PRECEDING AND CURRENT ROW)
),
with_daily_stats AS (  -- previous row of this table
    SELECT
        s.*,
        round((s.ust_10y_pct - lag(s.ust_10y_pct) OVER by_date) * 100, 2) AS ust_10y_chg_1d_bp,
        round((s.jgb_10y_pct - lag(s.jgb_10y_pct) OVER by_date) * 100, 2) AS jgb_10y_chg_1d_bp,
        round(s.spread_10y_bp - lag(s.spread_10y_bp) OVER by_date, 2) AS spread_10y_chg_1d_bp,
        z2.spread_2y_zscore,
        z10.spread_10y_zscore,
        z30.spread_30y_zscore
    FROM spreads AS s
    LEFT JOIN zscore_2y AS z2 ON z2.date = s.date
    LEFT JOIN zscore_10y AS z10 ON z10.date = s.date
    LEFT JOIN zscore_30y AS z30 ON z30.date = s.date
    WINDOW by_date AS (ORDER BY s.date)
),
with_month_ago AS (  -- the latest row on or before the same day one calendar month earlier
    SELECT
        d.*,
        round((d.ust_10y_pct - m.ust_10y_pct) * 100, 2) AS ust_10y_chg_1m_bp,
        round((d.jgb_10y_pct - m.jgb_10y_pct) * 100, 2) AS jgb_10y_chg_1m_bp,
        round(d.spread_10y_bp - m.spread_10y_bp, 2) AS spread_10y_chg_1m_bp
    FROM with_daily_stats AS d
    ASOF LEFT JOIN with_daily_stats AS m ON m.date <= (d.date - INTERVAL 1 MONTH)::DATE
)
SELECT
    date, usdjpy,
    ust_2y_pct, ust_5y_pct, ust_10y_pct, ust_30y_pct,
    jgb_2y_pct, jgb_5y_pct, jgb_10y_pct, jgb_30y_pct,
    spread_2y_bp, spread_5y_bp, spread_10y_bp, spread_30y_bp,
    jgb_2s10s_bp, jgb_10s30s_bp, ust_2s10s_bp,
    ust_10y_chg_1d_bp, jgb_10y_chg_1d_bp, spread_10y_chg_1d_bp,
    ust_10y_chg_1m_bp, jgb_10y_chg_1m_bp, spread_10y_chg_1m_bp,
    spread_2y_zscore, spread_10y_zscore, spread_30y_zscore
FROM with_month_ago
ORDER BY date;

COMMENT ON TABLE marts.yield_spreads_daily IS 'UST minus JGB yields at the same tenor on the same calendar date. One row per date on which both FRED DGS10 and the MOF 10-year JGB yield were published: a US holiday (no DGS10) or a Tokyo holiday (no JGB) has no row. Nothing is forward-filled. Every _bp column is rounded to 0.01 bp and every z-score to 0.0001, what the inputs support (yields have at most 3 decimals in percent). Sources: FRED DGS2/DGS5/DGS10/DGS30 (H.15, percent), DEXJPUS (H.10), MOF jgbcme (staging.jgb_yields).';
COMMENT ON COLUMN marts.yield_spreads_daily.date IS 'Calendar date of both quotes (US and Tokyo business day). Tokyo closes before New York, so the JGB quote is the earlier one.';
COMMENT ON COLUMN marts.yield_spreads_daily.usdjpy IS 'Yen per US dollar, FRED DEXJPUS (H.10 noon buying rate in New York) on this date; NULL when not published that day (no forward fill).';
COMMENT ON COLUMN marts.yield_spreads_daily.ust_2y_pct IS '2-year UST constant-maturity yield, percent, FRED DGS2; NULL if not published this date.';
COMMENT ON COLUMN marts.yield_spreads_daily.ust_5y_pct IS '5-year UST constant-maturity yield, percent, FRED DGS5; NULL if not published this date.';
COMMENT ON COLUMN marts.yield_spreads_daily.ust_10y_pct IS '10-year UST constant-maturity yield, percent, FRED DGS10; never NULL (defines the grain).';
COMMENT ON COLUMN marts.yield_spreads_daily.ust_30y_pct IS '30-year UST constant-maturity yield, percent, FRED DGS30; NULL if not published (e.g. gaps while the 30-year was not issued, 2002-2006, if FRED omits them).';
COMMENT ON COLUMN marts.yield_spreads_daily.jgb_2y_pct IS '2-year JGB constant-maturity yield, percent, MOF (staging.jgb_yields tenor_years = 2).';
COMMENT ON COLUMN marts.yield_spreads_daily.jgb_5y_pct IS '5-year JGB constant-maturity yield, percent, MOF (staging.jgb_yields tenor_years = 5).';
COMMENT ON COLUMN marts.yield_spreads_daily.jgb_10y_pct IS '10-year JGB constant-maturity yield, percent, MOF (staging.jgb_yields tenor_years = 10); never NULL (defines the grain).';
COMMENT ON COLUMN marts.yield_spreads_daily.jgb_30y_pct IS '30-year JGB constant-maturity yield, percent, MOF (staging.jgb_yields tenor_years = 30); NULL before the tenor existed (first value 1999-09-02).';
COMMENT ON COLUMN marts.yield_spreads_daily.spread_2y_bp IS 'Basis points: (ust_2y_pct - jgb_2y_pct) x 100, same calendar date; NULL if either leg is missing.';
COMMENT ON COLUMN marts.yield_spreads_daily.spread_5y_bp IS 'Basis points: (ust_5y_pct - jgb_5y_pct) x 100, same calendar date; NULL if either leg is missing.';
COMMENT ON COLUMN marts.yield_spreads_daily.spread_10y_bp IS 'Basis points: (ust_10y_pct - jgb_10y_pct) x 100, same calendar date (DGS10 minus MOF 10-year). 2021-01-04: (0.93 - 0.033) x 100 = 89.7.';
COMMENT ON COLUMN marts.yield_spreads_daily.spread_30y_bp IS 'Basis points: (ust_30y_pct - jgb_30y_pct) x 100, same calendar date; NULL if either leg is missing (JGB 30-year before 1999-09-02).';
COMMENT ON COLUMN marts.yield_spreads_daily.jgb_2s10s_bp IS 'JGB curve slope, basis points: (jgb_10y_pct - jgb_2y_pct) x 100.';
COMMENT ON COLUMN marts.yield_spreads_daily.jgb_10s30s_bp IS 'JGB super-long slope, basis points: (jgb_30y_pct - jgb_10y_pct) x 100; NULL before the 30-year existed.';
COMMENT ON COLUMN marts.yield_spreads_daily.ust_2s10s_bp IS 'UST curve slope, basis points: (ust_10y_pct - ust_2y_pct) x 100.';
COMMENT ON COLUMN marts.yield_spreads_daily.ust_10y_chg_1d_bp IS 'Basis points: (ust_10y_pct - ust_10y_pct of the previous row of this table) x 100. The previous row is the previous date on which both markets published, so after a holiday in either market the change spans more than one business day. NULL on the first row.';
COMMENT ON COLUMN marts.yield_spreads_daily.jgb_10y_chg_1d_bp IS 'Basis points: (jgb_10y_pct - jgb_10y_pct of the previous row of this table) x 100; previous row as in ust_10y_chg_1d_bp. For changes against each market''s own previous quote see marts.yield_spillover_daily.';
COMMENT ON COLUMN marts.yield_spreads_daily.spread_10y_chg_1d_bp IS 'Basis points: spread_10y_bp - spread_10y_bp of the previous row of this table (previous date on which both markets published).';
COMMENT ON COLUMN marts.yield_spreads_daily.ust_10y_chg_1m_bp IS 'Basis points: (ust_10y_pct - ust_10y_pct of the latest row of this table dated on or before date minus one calendar month) x 100 (2021-03-31 compares with the latest row on or before 2021-02-28); NULL if no such row.';
COMMENT ON COLUMN marts.yield_spreads_daily.jgb_10y_chg_1m_bp IS 'Basis points: (jgb_10y_pct - jgb_10y_pct of the latest row of this table dated on or before date minus one calendar month) x 100; NULL if no such row.';
COMMENT ON COLUMN marts.yield_spreads_daily.spread_10y_chg_1m_bp IS 'Basis points: spread_10y_bp - spread_10y_bp of the latest row of this table dated on or before date minus one calendar month; NULL if no such row.';
COMMENT ON COLUMN marts.yield_spreads_daily.spread_2y_zscore IS 'Standard deviations: (spread_2y_bp - mean) / sample standard deviation, both over the last 252 trading days ending at and including this date, a trading day being a row of this table with a spread_2y_bp (about 1.06 calendar years: both markets trade on about 238 common days a year). NULL until 252 such days exist, on a day without spread_2y_bp, when the 252 days span more than 450 calendar days (a gap in the data; the longest window of the shipped files, around the 2019 ten-day Golden Week, spans 404), or when the window has zero variance. Rounded to 0.0001.';
COMMENT ON COLUMN marts.yield_spreads_daily.spread_10y_zscore IS 'Standard deviations: (spread_10y_bp - mean) / sample standard deviation, both over the last 252 trading days ending at and including this date, a trading day being a row of this table (both markets published; about 1.06 calendar years, as they share about 238 trading days a year). NULL until 252 such days exist, when the 252 days span more than 450 calendar days (a gap in the data; the longest window of the shipped files, around the 2019 ten-day Golden Week, spans 404), or when the window has zero variance. Rounded to 0.0001.';
COMMENT ON COLUMN marts.yield_spreads_daily.spread_30y_zscore IS 'Standard deviations: (spread_30y_bp - mean) / sample standard deviation, both over the last 252 trading days ending at and including this date, a trading day being a row of this table with a spread_30y_bp (about 1.06 calendar years). Treasury did not issue the 30-year from 2002-02 to 2006-02; the shipped DGS30 file has values there, but a download without them would leave a 4-year gap. NULL until 252 such days exist, on a day without spread_30y_bp, when the 252 days span more than 450 calendar days (a gap in the data; the longest window of the shipped files, around the 2019 ten-day Golden Week, spans 404), or when the window has zero variance. Rounded to 0.0001.';
