-- Daily 10-year UST and JGB yield changes and rolling OLS betas of the UST change on the same-day and on the previous Tokyo business day's JGB change, over one-business-day moves only.
-- depends_on: fred/DGS10 mof/jgb_yields
-- keys: date
-- range: ust_10y_chg_bp -150 150
-- range: jgb_10y_chg_bp -150 150
-- range: beta_same_day_250d -10 10
-- range: beta_next_day_250d -10 10

CREATE OR REPLACE TABLE marts.yield_spillover_daily AS
WITH ust_changes AS (  -- change versus the previous DGS10 observation
    SELECT
        date,
        value AS ust_10y_pct,
        round((value - lag(value) OVER (ORDER BY date)) * 100, 2) AS ust_10y_chg_bp,
        -- one US business day: no weekday between the two quotes (not after a US holiday)
        lag(date) OVER (ORDER BY date) >= date - CASE isodow(date) WHEN 1 THEN 3 ELSE 1 END
            AS ust_one_day
    FROM staging.fred_observations
    WHERE series_id = 'DGS10'
),
jgb_changes AS (  -- change versus the previous MOF 10-year quote
    SELECT
        date,
        yield_pct AS jgb_10y_pct,
        round((yield_pct - lag(yield_pct) OVER (ORDER BY date)) * 100, 2) AS jgb_10y_chg_bp,
        -- one Tokyo business day: no weekday between the two quotes (not after a Tokyo holiday)
        lag(date) OVER (ORDER BY date) >= date - CASE isodow(date) WHEN 1 THEN 3 ELSE 1 END
            AS jgb_one_day
    FROM staging.jgb_yields
    WHERE tenor_years = 10
),
all_dates AS (
    SELECT date FROM ust_changes
    UNION
    SELECT date FROM jgb_changes
),
same_day AS (
    SELECT
        d.date, u.ust_10y_pct, j.jgb_10y_pct, u.ust_10y_chg_bp, j.jgb_10y_chg_bp,
        u.ust_one_day, j.jgb_one_day
    FROM all_dates AS d
    LEFT JOIN ust_changes AS u ON u.date = d.date
    LEFT JOIN jgb_changes AS j ON j.date = d.date
),
with_previous_tokyo_day AS (  -- the latest JGB quote strictly before this date
    SELECT
        s.*,
        p.date AS jgb_prev_date,
        p.jgb_10y_chg_bp AS jgb_10y_chg_prev_day_bp,
        p.jgb_one_day AS jgb_prev_one_day
    FROM same_day AS s
    ASOF LEFT JOIN jgb_changes AS p ON p.date < s.date
),
pairs AS (
    -- Same day: both moves span one business day and end on this date; Tokyo closes
    -- (15:00 JST) before New York, so the JGB move ends before the US close.
    -- Next day: this date's one-day UST move on the one-day JGB move of the previous Tokyo
    -- business day, which must be the weekday before (no Tokyo holiday in between; not a
    -- Saturday: Tokyo traded some Saturdays until 1989, e.g. 1988-05-07 before 1988-05-09). A JGB
    -- move is then the regressor of exactly one US date: never reused over a Tokyo holiday.
    SELECT
        *,
        coalesce(ust_one_day AND jgb_one_day, false) AS is_same_day_pair,
        coalesce(ust_one_day AND jgb_prev_one_day AND isodow(jgb_prev_date) <= 5
                 AND jgb_prev_date >= date - CASE isodow(date) WHEN 1 THEN 3 ELSE 1 END, false)
            AS is_next_day_pair
    FROM with_previous_tokyo_day
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
    FROM pairs
    WHERE is_same_day_pair
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
    FROM pairs
    WHERE is_next_day_pair
    WINDOW
        last_60 AS (ORDER BY date ROWS BETWEEN 59 PRECEDING AND CURRENT ROW),
        last_250 AS (ORDER BY date ROWS BETWEEN 249 PRECEDING AND CURRENT ROW)
)
SELECT  -- bp rounded to 0.01 (yields have 2-3 decimals in percent), betas to 0.0001
    w.date,
    w.ust_10y_pct,
    w.jgb_10y_pct,
    w.ust_10y_chg_bp,
    w.jgb_10y_chg_bp,
    w.jgb_prev_date,
    w.jgb_10y_chg_prev_day_bp,
    w.is_same_day_pair,
    w.is_next_day_pair,
    round(s.beta_same_day_60d, 4) AS beta_same_day_60d,
    round(s.beta_same_day_250d, 4) AS beta_same_day_250d,
    round(n.beta_next_day_60d, 4) AS beta_next_day_60d,
    round(n.beta_next_day_250d, 4) AS beta_next_day_250d
FROM pairs AS w
LEFT JOIN same_day_pairs AS s ON s.date = w.date
LEFT JOIN next_day_pairs AS n ON n.date = w.date
ORDER BY w.date;

COMMENT ON TABLE marts.yield_spillover_daily IS 'Do UST yields follow JGB yields the same day or the next? One row per date on which either market published a 10-year yield. Changes are versus each market''s own previous observation, in bp rounded to 0.01. Betas (rounded to 0.0001) are rolling OLS slopes (DuckDB regr_slope) of the UST change on a JGB change over the last N pairs (is_same_day_pair / is_next_day_pair): only moves over one business day in each market are paired, so a multi-day move after a holiday is never set against a one-day move, and each JGB move is the next-day regressor of one US date at most. Tokyo closes before New York, so a same-date JGB move can feed into the UST move. Sources: FRED DGS10, MOF 10-year JGB (staging.jgb_yields).';
COMMENT ON COLUMN marts.yield_spillover_daily.date IS 'Calendar date (a US or a Tokyo business day, or both).';
COMMENT ON COLUMN marts.yield_spillover_daily.ust_10y_pct IS '10-year UST yield, percent, FRED DGS10; NULL on a US holiday.';
COMMENT ON COLUMN marts.yield_spillover_daily.jgb_10y_pct IS '10-year JGB yield, percent, MOF; NULL on a Tokyo holiday.';
COMMENT ON COLUMN marts.yield_spillover_daily.ust_10y_chg_bp IS 'Basis points: (DGS10 this date - DGS10 at its previous observation) x 100; NULL when DGS10 is not published this date or on its first observation.';
COMMENT ON COLUMN marts.yield_spillover_daily.jgb_10y_chg_bp IS 'Basis points: (MOF 10-year JGB this date - at its previous observation) x 100; NULL on a Tokyo holiday.';
COMMENT ON COLUMN marts.yield_spillover_daily.jgb_prev_date IS 'The previous Tokyo business day: the latest date strictly before this one with a MOF 10-year quote.';
COMMENT ON COLUMN marts.yield_spillover_daily.jgb_10y_chg_prev_day_bp IS 'Basis points: jgb_10y_chg_bp as of jgb_prev_date (the JGB move of the previous Tokyo business day), the regressor of the next-day betas where is_next_day_pair.';
COMMENT ON COLUMN marts.yield_spillover_daily.beta_same_day_60d IS 'OLS slope (bp of UST per bp of JGB) of ust_10y_chg_bp on jgb_10y_chg_bp over the 60 most recent same-day pairs (is_same_day_pair) up to and including this one; NULL on dates that are not such a pair, before 60 pairs exist, or when the JGB changes have zero variance.';
COMMENT ON COLUMN marts.yield_spillover_daily.beta_same_day_250d IS 'OLS slope (bp of UST per bp of JGB) of ust_10y_chg_bp on jgb_10y_chg_bp over the 250 most recent same-day pairs up to and including this one (about 1.1 calendar years); NULL as for beta_same_day_60d.';
COMMENT ON COLUMN marts.yield_spillover_daily.beta_next_day_60d IS 'OLS slope (bp of UST per bp of JGB) of ust_10y_chg_bp on jgb_10y_chg_prev_day_bp (previous Tokyo business day) over the 60 most recent next-day pairs (is_next_day_pair); NULL on dates that are not such a pair, before 60 pairs exist, or when the JGB changes have zero variance.';
COMMENT ON COLUMN marts.yield_spillover_daily.beta_next_day_250d IS 'OLS slope (bp of UST per bp of JGB) of ust_10y_chg_bp on jgb_10y_chg_prev_day_bp (previous Tokyo business day) over the 250 most recent next-day pairs (is_next_day_pair); NULL as for beta_next_day_60d.';
COMMENT ON COLUMN marts.yield_spillover_daily.is_same_day_pair IS 'True when this date enters the same-day betas: DGS10 and the MOF 10-year were both quoted this date and on the weekday before (Friday for a Monday), so both changes span one business day.';
COMMENT ON COLUMN marts.yield_spillover_daily.is_next_day_pair IS 'True when this date enters the next-day betas: the DGS10 change spans one US business day and jgb_10y_chg_prev_day_bp is the one-business-day JGB move of the weekday before (jgb_prev_date, a weekday, no Tokyo holiday in between). A Monday whose previous Tokyo session was a Saturday (Tokyo traded some Saturdays until 1989: 1988-05-09, 1988-11-07) is no pair. Each JGB move pairs with one US date at most.';
