-- Query: metric_drift
-- Description: Drift check of one metric of one pipeline (analysis trials): each run against the median and median absolute deviation (MAD) of the previous window_size runs, with a DRIFT / BELOW_THRESHOLD / OK flag.
-- Param 1: pipeline_name varchar - the pipeline, e.g. churn-prediction-prod
-- Param 2: metric_name varchar - the metric, e.g. auc
-- Param 3: from_dt date <= to_dt - first dt partition (UTC date of the execution end, YYYY-MM-DD), inclusive
-- Param 4: to_dt date - last dt partition (YYYY-MM-DD), inclusive
-- Param 5: window_size bigint >= 1 - how many previous runs form the baseline, e.g. 30
-- Param 6: z_threshold double > 0 - flag DRIFT when the robust z-score reaches this in absolute value, e.g. 5
-- Param 7: min_value double - flag BELOW_THRESHOLD when the value is lower than this, e.g. 0.8
-- Param 8: min_change double >= 0 - and only when the value differs from the baseline median by this fraction of it, e.g. 0.01
--
-- Columns: pipeline_execution_id, execution_end, execution_status, value, window_runs (previous runs
-- in the baseline), window_median, window_mad (median absolute deviation from window_median),
-- z_score = (value - window_median) / (1.4826 * window_mad), flag. 1.4826 * MAD estimates a normal
-- series' standard deviation, so z_score reads like the usual z; unlike a mean and a standard
-- deviation, one broken run in the window barely moves the median or the MAD. Runs are judged only
-- against a full window (the first window_size runs are never scored: a baseline of 2 or 3 runs flags
-- noise). flag: DRIFT if |z_score| >= z_threshold and |value - window_median| >= min_change *
-- |window_median| and > 0 (with a MAD of 0, z_score is null and the change alone decides), else
-- BELOW_THRESHOLD if value < min_value, else OK. Only runs in [from_dt, to_dt] form
-- baselines: start from_dt a window earlier than the first run you want judged. One value per
-- execution, as in metric_history (the view execution_metrics): the latest metric_time wins, ties go
-- to the first trial_component_name in sort order. The defaults (window 30, |z| >= 5, 1%) are measured in
-- docs/benchmarks.md (drift-defaults) and explained in docs/queries.md.
-- Athena accepts '?' only in WHERE clauses, so the window is a self-join on run numbers (not a
-- parameterised ROWS frame) and the thresholds select the flagged runs in WHERE clauses. For the same
-- reason window_size cannot be compared with a count: a window is full when it does not reach back to
-- run 0, a run without a value that only the windows of the first window_size runs contain. Trino has
-- no exact median aggregate (approx_percentile is approximate), so medians are the middle value(s) of
-- each window ranked with row_number().
WITH runs AS (
    SELECT
        pipeline_execution_id,
        execution_end,
        execution_status,
        metric_value AS value,
        row_number() OVER (ORDER BY from_iso8601_timestamp(execution_end), pipeline_execution_id) AS run_number
    FROM execution_metrics
    WHERE pipeline_name = ?
      AND metric_name = ?
      AND dt >= ?
      AND dt <= ?
),
runs_from_zero AS (
    SELECT run_number, value FROM runs
    UNION ALL
    SELECT 0 AS run_number, CAST(NULL AS double) AS value
),
baseline_runs AS (
    SELECT current_run.run_number, previous_run.run_number AS previous_run_number, previous_run.value AS previous_value
    FROM runs AS current_run
    JOIN runs_from_zero AS previous_run ON previous_run.run_number < current_run.run_number
    WHERE previous_run.run_number >= current_run.run_number - ?
),
baselines AS (
    SELECT
        run_number,
        count(previous_value) AS window_runs,
        min(previous_run_number) > 0 AS full_window
    FROM baseline_runs
    GROUP BY run_number
),
ranked_values AS (
    SELECT
        b.run_number,
        b.previous_value,
        w.window_runs,
        row_number() OVER (PARTITION BY b.run_number ORDER BY b.previous_value) AS value_rank
    FROM baseline_runs AS b
    JOIN baselines AS w ON w.run_number = b.run_number
    WHERE b.previous_value IS NOT NULL
),
medians AS (
    -- The middle value of an odd count (rank (n + 1) / 2), the mean of the two middle ones of an even count.
    SELECT run_number, avg(previous_value) AS window_median
    FROM ranked_values
    WHERE 2 * value_rank BETWEEN window_runs AND window_runs + 2
    GROUP BY run_number
),
ranked_deviations AS (
    SELECT
        r.run_number,
        r.window_runs,
        abs(r.previous_value - m.window_median) AS deviation,
        row_number() OVER (PARTITION BY r.run_number ORDER BY abs(r.previous_value - m.window_median)) AS deviation_rank
    FROM ranked_values AS r
    JOIN medians AS m ON m.run_number = r.run_number
),
mads AS (
    SELECT run_number, avg(deviation) AS window_mad
    FROM ranked_deviations
    WHERE 2 * deviation_rank BETWEEN window_runs AND window_runs + 2
    GROUP BY run_number
),
scored AS (
    SELECT
        r.run_number,
        r.pipeline_execution_id,
        r.execution_end,
        r.execution_status,
        r.value,
        coalesce(b.window_runs, 0) AS window_runs,
        m.window_median,
        d.window_mad,
        CASE
            WHEN b.full_window AND d.window_mad > 0 THEN (r.value - m.window_median) / (1.4826e0 * d.window_mad)
        END AS z_score,
        -- null for a run not judged (no full window): such a run is never DRIFT.
        CASE WHEN b.full_window THEN abs(r.value - m.window_median) END AS distance_from_median
    FROM runs AS r
    LEFT JOIN baselines AS b ON b.run_number = r.run_number
    LEFT JOIN medians AS m ON m.run_number = r.run_number
    LEFT JOIN mads AS d ON d.run_number = r.run_number
),
far_out AS (
    -- On z_score itself, so that |z| = z_threshold is DRIFT exactly; a MAD of 0 leaves the change to decide.
    SELECT run_number FROM scored WHERE distance_from_median > 0 AND (window_mad = 0 OR abs(z_score) >= ?)
),
below_threshold AS (
    SELECT run_number FROM scored WHERE value < ?
),
large_enough AS (
    SELECT run_number FROM scored WHERE distance_from_median >= ? * abs(window_median)
)
SELECT
    s.pipeline_execution_id,
    s.execution_end,
    s.execution_status,
    s.value,
    s.window_runs,
    s.window_median,
    s.window_mad,
    s.z_score,
    CASE
        WHEN f.run_number IS NOT NULL AND l.run_number IS NOT NULL THEN 'DRIFT'
        WHEN b.run_number IS NOT NULL THEN 'BELOW_THRESHOLD'
        ELSE 'OK'
    END AS flag
FROM scored AS s
LEFT JOIN far_out AS f ON f.run_number = s.run_number
LEFT JOIN large_enough AS l ON l.run_number = s.run_number
LEFT JOIN below_threshold AS b ON b.run_number = s.run_number
ORDER BY s.run_number
