-- Daily 10-year UST and JGB yield changes and rolling OLS betas of the UST change on the same-day and on the previous Tokyo business day's JGB change.
-- depends_on: fred/DGS10 mof/jgb_yields

CREATE OR REPLACE TABLE marts.yield_spillover_daily AS
WITH ust_changes AS (  -- change versus the previous DGS10 observation
    SELECT
        date,
        value AS ust_10y_pct,
        round((value - lag(value) OVER (ORDER BY date)) * 100, 6) AS ust_10y_chg_bp
    FROM staging.fred_observations
    WHERE series_id = 'DGS10'
),
jgb_changes AS (  -- change versus the previous MOF 10-year quote
    SELECT
        date,
        yield_pct AS jgb_10y_pct,
        round((yield_pct - lag(yield_pct) OVER (ORDER BY date)) * 100, 6) AS jgb_10y_chg_bp
    FROM staging.jgb_yields
    WHERE tenor_years = 10
),
all_dates AS (
    SELECT date FROM ust_changes
    UNION
    SELECT date FROM jgb_changes
),
same_day AS (
    SELECT d.date, u.ust_10y_pct, j.jgb_10y_pct, u.ust_10y_chg_bp, j.jgb_10y_chg_bp
    FROM all_dates AS d
    LEFT JOIN ust_changes AS u ON u.date = d.date
    LEFT JOIN jgb_changes AS j ON j.date = d.date
),
with_previous_tokyo_day AS (  -- the latest JGB quote strictly before this date
    SELECT
        s.*,
        p.date AS jgb_prev_date,
        p.jgb_10y_chg_bp AS jgb_10y_chg_prev_day_bp
    FROM same_day AS s
    ASOF LEFT JOIN jgb_changes AS p ON p.date < s.date
),
same_day_pairs AS (  -- rolling windows count pairs, not calendar rows
    SELECT
        date,
        CASE WHEN count(*) OVER last_60 = 60 THEN
            nullif(regr_slope(ust_10y_chg_bp, jgb_10y_chg_bp) OVER last_60, 'NaN'::DOUBLE)
        END AS beta_same_day_60d,
        CASE WHEN count(*) OVER last_250 = 250 THEN
            nullif(regr_slope(ust_10y_chg_bp, jgb_10y_chg_bp) OVER last_250, 'NaN'::DOUBLE)
        END AS beta_same_day_250d
    FROM with_previous_tokyo_day
    WHERE ust_10y_chg_bp IS NOT NULL AND jgb_10y_chg_bp IS NOT NULL
    WINDOW
        last_60 AS (ORDER BY date ROWS BETWEEN 59 PRECEDING AND CURRENT ROW),
        last_250 AS (ORDER BY date ROWS BETWEEN 249 PRECEDING AND CURRENT ROW)
),
next_day_pairs AS (
    SELECT
        date,
        CASE WHEN count(*) OVER last_60 = 60 THEN
            nullif(regr_slope(ust_10y_chg_bp, jgb_10y_chg_prev_day_bp) OVER last_60, 'NaN'::DOUBLE)
        END AS beta_next_day_60d,
        CASE WHEN count(*) OVER last_250 = 250 THEN
            nullif(regr_slope(ust_10y_chg_bp, jgb_10y_chg_prev_day_bp) OVER last_250, 'NaN'::DOUBLE)
        END AS beta_next_day_250d
    FROM with_previous_tokyo_day
    WHERE ust_10y_chg_bp IS NOT NULL AND jgb_10y_chg_prev_day_bp IS NOT NULL
    WINDOW
        last_60 AS (ORDER BY date ROWS BETWEEN 59 PRECEDING AND CURRENT ROW),
        last_250 AS (ORDER BY date ROWS BETWEEN 249 PRECEDING AND CURRENT ROW)
)
SELECT
    w.date,
    w.ust_10y_pct,
    w.jgb_10y_pct,
    w.ust_10y_chg_bp,
    w.jgb_10y_chg_bp,
    w.jgb_prev_date,
    w.jgb_10y_chg_prev_day_bp,
    s.beta_same_day_60d,
    s.beta_same_day_250d,
    n.beta_next_day_60d,
    n.beta_next_day_250d
FROM with_previous_tokyo_day AS w
LEFT JOIN same_day_pairs AS s ON s.date = w.date
LEFT JOIN next_day_pairs AS n ON n.date = w.date
ORDER BY w.date;

COMMENT ON TABLE marts.yield_spillover_daily IS 'Do UST yields follow JGB yields the same day or the next? One row per date on which either market published a 10-year yield. Changes are versus each market''s own previous observation, in bp rounded to 6 decimals (removes float noise only). Betas are rolling OLS slopes (DuckDB regr_slope) of the UST change on a JGB change over the last N dates on which both changes exist. Tokyo closes before New York, so a same-date JGB move can feed into the UST move. Sources: FRED DGS10, MOF 10-year JGB (staging.jgb_yields).';
COMMENT ON COLUMN marts.yield_spillover_daily.date IS 'Calendar date (a US or a Tokyo business day, or both).';
COMMENT ON COLUMN marts.yield_spillover_daily.ust_10y_pct IS '10-year UST yield, percent, FRED DGS10; NULL on a US holiday.';
COMMENT ON COLUMN marts.yield_spillover_daily.jgb_10y_pct IS '10-year JGB yield, percent, MOF; NULL on a Tokyo holiday.';
COMMENT ON COLUMN marts.yield_spillover_daily.ust_10y_chg_bp IS 'Basis points: (DGS10 this date - DGS10 at its previous observation) x 100; NULL when DGS10 is not published this date or on its first observation.';
COMMENT ON COLUMN marts.yield_spillover_daily.jgb_10y_chg_bp IS 'Basis points: (MOF 10-year JGB this date - at its previous observation) x 100; NULL on a Tokyo holiday.';
COMMENT ON COLUMN marts.yield_spillover_daily.jgb_prev_date IS 'The previous Tokyo business day: the latest date strictly before this one with a MOF 10-year quote.';
COMMENT ON COLUMN marts.yield_spillover_daily.jgb_10y_chg_prev_day_bp IS 'Basis points: jgb_10y_chg_bp as of jgb_prev_date (the JGB move of the previous Tokyo business day), the regressor of the next-day betas.';
COMMENT ON COLUMN marts.yield_spillover_daily.beta_same_day_60d IS 'OLS slope (bp of UST per bp of JGB) of ust_10y_chg_bp on jgb_10y_chg_bp over the 60 most recent dates up to and including this one where both exist; NULL on dates where the pair is missing, before 60 pairs exist, or when the JGB changes have zero variance.';
COMMENT ON COLUMN marts.yield_spillover_daily.beta_same_day_250d IS 'OLS slope (bp of UST per bp of JGB) of ust_10y_chg_bp on jgb_10y_chg_bp over the 250 most recent dates up to and including this one where both exist (about one year); NULL as for beta_same_day_60d.';
COMMENT ON COLUMN marts.yield_spillover_daily.beta_next_day_60d IS 'OLS slope (bp of UST per bp of JGB) of ust_10y_chg_bp on jgb_10y_chg_prev_day_bp (previous Tokyo business day) over the 60 most recent dates where both exist; NULL as for beta_same_day_60d.';
COMMENT ON COLUMN marts.yield_spillover_daily.beta_next_day_250d IS 'OLS slope (bp of UST per bp of JGB) of ust_10y_chg_bp on jgb_10y_chg_prev_day_bp (previous Tokyo business day) over the 250 most recent dates where both exist; NULL as for beta_same_day_60d.';
