-- Every confirmed crossing of a configured level (sql/marts/thresholds.yaml, loaded into marts.threshold_levels), up or down, with hysteresis so a value hovering around a level gives one event, not one per wiggle.
-- depends_on: marts/indicator_series
-- keys: date indicator threshold
-- max_row_drop: 0.5

CREATE OR REPLACE TABLE marts.threshold_events AS
WITH observations AS (  -- each indicator's series against each of its levels, same unit only
    SELECT
        s.indicator, s.date, s.value, s.is_provisional, s.input_as_of,
        l.threshold, l.unit, l.rearm_band, l.min_observations, l.confirm_after,
        s.value >= l.threshold AS above
    FROM marts.indicator_series AS s
    JOIN marts.threshold_levels AS l ON l.indicator = s.indicator AND l.unit = s.unit
),
run_starts AS (  -- a run: consecutive observations on one side of the level
    SELECT
        *,
        coalesce(lag(above) OVER by_date <> above, true) AS starts_run,
        lag(value) OVER by_date AS value_before,
        lag(date) OVER by_date AS date_before,
        row_number() OVER by_date AS nth
    FROM observations
    WINDOW by_date AS (PARTITION BY indicator, threshold ORDER BY date)
),
runs AS (  -- the run's number, and the position of its first observation (one sorted pass)
    SELECT
        *,
        sum(starts_run::INTEGER) OVER so_far AS run,
        max(CASE WHEN starts_run THEN nth END) OVER so_far AS run_first_nth
    FROM run_starts
    WINDOW so_far AS (PARTITION BY indicator, threshold ORDER BY date ROWS UNBOUNDED PRECEDING)
),
run_progress AS (  -- the observation's place in its run, and whether it is beyond the band
    SELECT
        *,
        nth - run_first_nth + 1 AS run_observations,
        CASE WHEN above
            THEN value >= round(threshold + rearm_band, 9)
            ELSE value < round(threshold - rearm_band, 9)
        END AS past_band
    FROM runs
),
run_confirmed_at AS (
    -- A run on the new side counts once it has min_observations and has either gone
    -- rearm_band beyond the level (at or before that observation) or lasted confirm_after
    -- observations: the first observation that is both, if the run gets that far.
    SELECT
        indicator, threshold, run,
        greatest(any_value(min_observations), CASE
            WHEN min(run_observations) FILTER (WHERE past_band) IS NULL
                THEN any_value(confirm_after)
            ELSE least(min(run_observations) FILTER (WHERE past_band),
                       any_value(confirm_after))
        END) AS observations_to_confirm,
        min(run_observations) FILTER (WHERE past_band) AS first_past_band
    FROM run_progress
    GROUP BY ALL
),
confirmations AS (
    SELECT
        r.indicator, r.threshold, r.run,
        r.date AS confirmed_on,
        r.value AS confirmed_value,
        c.observations_to_confirm,
        r.is_provisional AS confirmed_is_provisional,
        -- how: the band, or only the count (a value held near the level, e.g. by a yield cap)
        CASE WHEN c.first_past_band <= c.observations_to_confirm THEN 'band'
             ELSE 'observations' END AS confirmed_by
    FROM run_confirmed_at AS c
    JOIN run_progress AS r
      ON r.indicator = c.indicator AND r.threshold = c.threshold AND r.run = c.run
     AND r.run_observations = c.observations_to_confirm
),
sides AS (
    -- The side each level is on: set by its first run (the start, no event), then changed
    -- only by a confirmed run. A run that returns before it is confirmed changes nothing.
    SELECT r.*, c.confirmed_on, c.confirmed_value, c.observations_to_confirm,
        c.confirmed_is_provisional, c.confirmed_by
    FROM run_progress AS r
    LEFT JOIN confirmations AS c USING (indicator, threshold, run)
    WHERE r.run_observations = 1 AND (r.run = 1 OR c.confirmed_on IS NOT NULL)
),
events AS (  -- a confirmed run on the other side from the level's last side is an event
    SELECT *, lag(above) OVER (PARTITION BY indicator, threshold ORDER BY run) AS above_before
    FROM sides
)
SELECT
    date,
    indicator,
    threshold,
    CASE WHEN above THEN 'up' ELSE 'down' END AS direction,
    value,
    value_before,
    date_before,
    unit,
    confirmed_on,
    confirmed_value,
    observations_to_confirm,
    confirmed_by,
    rearm_band,
    is_provisional OR confirmed_is_provisional AS is_provisional,
    input_as_of
FROM events
WHERE run > 1 AND above <> above_before
ORDER BY date, indicator, threshold;

COMMENT ON TABLE marts.threshold_events IS 'One row per confirmed crossing of a configured level (sql/marts/thresholds.yaml via marts.threshold_levels), up or down, on each indicator''s own published values (marts.indicator_series, no filling). Hysteresis: a crossing starts on the first observation on the other side (up: value >= threshold; down: value < threshold) and counts once the value has gone rearm_band beyond the level on that side, or has stayed there confirm_after observations (with at least min_observations). If it returns first, it was noise and is not reported. After an event the level can only fire the other way, under the same rule. So events alternate up/down per level, a crossing after which the value stayed on the new side for confirm_after observations (20 business days for a daily series) is never dropped, and the latest event per indicator and threshold answers "when did it last cross, and which way?". An event is known on confirmed_on, dated on date.';
COMMENT ON COLUMN marts.threshold_events.date IS 'Date of the crossing: the first observation on the new side of the level, in the run that confirmed it (a month''s first day for monthly indicators).';
COMMENT ON COLUMN marts.threshold_events.indicator IS 'Indicator name, as in marts.indicator_series and marts.threshold_levels.';
COMMENT ON COLUMN marts.threshold_events.threshold IS 'The level crossed, in the indicator''s unit (see unit).';
COMMENT ON COLUMN marts.threshold_events.direction IS '''up'' (value_before < threshold <= value) or ''down'' (value < threshold <= value_before).';
COMMENT ON COLUMN marts.threshold_events.value IS 'The indicator''s value on date (the first on the new side), in its unit.';
COMMENT ON COLUMN marts.threshold_events.value_before IS 'The indicator''s previous observation (at date_before, on the old side), in its unit.';
COMMENT ON COLUMN marts.threshold_events.date_before IS 'Date of the previous observation of the indicator.';
COMMENT ON COLUMN marts.threshold_events.unit IS 'Unit of value, value_before, threshold and rearm_band: pct (percent), bp (basis points), yen_per_usd, zscore (standard deviations), ... as in marts.indicator_series.';
COMMENT ON COLUMN marts.threshold_events.confirmed_on IS 'Date of the observation that confirmed the crossing (beyond the band, or the confirm_after-th on the new side): the day the event became known, and the day an alert goes out. Equal to date when the first observation already went beyond the band.';
COMMENT ON COLUMN marts.threshold_events.confirmed_value IS 'The indicator''s value on confirmed_on, in its unit.';
COMMENT ON COLUMN marts.threshold_events.observations_to_confirm IS 'Observations on the new side from date to confirmed_on, both included (1 = confirmed on the crossing day). Large when confirmed_by = ''observations'': the value stayed inside the band, so the event became known only after confirm_after observations.';
COMMENT ON COLUMN marts.threshold_events.confirmed_by IS '''band'' when the value went rearm_band beyond the level (confirmed_on is that day), ''observations'' when it never did and the crossing was confirmed only by staying on the new side confirm_after observations. A value held near a level, as JGB 10-year yields were under the BoJ''s yield-curve control, confirms only this way, weeks after date: 0.25% up on 2022-10-07 was confirmed on 2022-11-07, after 20 observations. The rule stays (a lasting crossing is never dropped); the alert says "confirmed after N observations" so the delay is visible.';
COMMENT ON COLUMN marts.threshold_events.rearm_band IS 'The hysteresis band of this level, in unit (sql/marts/thresholds.yaml).';
COMMENT ON COLUMN marts.threshold_events.is_provisional IS 'True when the crossing or the confirming value is provisional (marts.indicator_series.is_provisional: e.g. a hedged pickup whose JPY rate is carried forward, or a partial month): the event may disappear or move when the data is final. Alerts say so.';
COMMENT ON COLUMN marts.threshold_events.input_as_of IS 'Date of the oldest input behind value (marts.indicator_series.input_as_of), e.g. the JPY 3-month rate''s month for hedged_pickup_bp.';
