-- Query: metric_drift
-- Description: Drift check of one metric of one pipeline (analysis trials): the z-score of each run against the mean and sample standard deviation of the previous window_size runs, with a DRIFT / BELOW_THRESHOLD / OK flag.
-- Param 1: pipeline_name varchar - the pipeline, e.g. churn-prediction-prod
-- Param 2: metric_name varchar - the metric, e.g. auc
-- Param 3: from_dt date <= to_dt - first dt partition (UTC date of the execution end, YYYY-MM-DD), inclusive
-- Param 4: to_dt date - last dt partition (YYYY-MM-DD), inclusive
-- Param 5: window_size bigint >= 1 - how many previous runs form the baseline, e.g. 10
-- Param 6: z_threshold double > 0 - flag DRIFT when the absolute z-score reaches this, e.g. 3
-- Param 7: min_value double - flag BELOW_THRESHOLD when the value is lower than this, e.g. 0.8
--
-- Columns: pipeline_execution_id, execution_end, execution_status, value, window_runs (previous runs
-- in the baseline), window_mean, window_stddev, z_score, flag. z_score is null until the baseline is
-- a full window (the first window_size runs are never scored: a z against 2 or 3 runs flags noise),
-- with fewer than 2 values, or with a zero spread. flag: DRIFT if |z_score| >= z_threshold, else
-- BELOW_THRESHOLD if value < min_value, else OK. Only runs in [from_dt, to_dt] form baselines: start
-- from_dt a window earlier than the first run you want judged. One value per execution, as in metric_history: the latest
-- metric_time wins, ties go to the first trial_component_name in sort order.
-- Athena accepts '?' only in WHERE clauses, so the window is a self-join on run numbers (not a
-- parameterised ROWS frame) and the thresholds select the flagged runs in WHERE clauses. For the same
-- reason window_size cannot be compared with a count: a window is full when it does not reach back to
-- run 0, a run without a value that only the windows of the first window_size runs contain.
WITH candidates AS (
    SELECT
        pipeline_execution_id,
        execution_end,
        execution_status,
        metric_value,
        row_number() OVER (
            PARTITION BY pipeline_execution_id
            ORDER BY from_iso8601_timestamp(metric_time) DESC NULLS LAST, trial_component_name ASC
        ) AS pick
    FROM metric_snapshots
    WHERE pipeline_name = ?
      AND metric_name = ?
      AND trial_kind = 'analysis'
      AND dt >= ?
      AND dt <= ?
),
runs AS (
    SELECT
        pipeline_execution_id,
        execution_end,
        execution_status,
        metric_value AS value,
        row_number() OVER (ORDER BY from_iso8601_timestamp(execution_end), pipeline_execution_id) AS run_number
    FROM candidates
    WHERE pick = 1
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
        avg(previous_value) AS window_mean,
        stddev_samp(previous_value) AS window_stddev,
        min(previous_run_number) > 0 AS full_window
    FROM baseline_runs
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
        b.window_mean,
        b.window_stddev,
        CASE
            WHEN b.full_window AND b.window_runs >= 2 AND b.window_stddev > 0 THEN (r.value - b.window_mean) / b.window_stddev
        END AS z_score
    FROM runs AS r
    LEFT JOIN baselines AS b ON b.run_number = r.run_number
),
drifted AS (
    SELECT run_number FROM scored WHERE abs(z_score) >= ?
),
below_threshold AS (
    SELECT run_number FROM scored WHERE value < ?
)
SELECT
    s.pipeline_execution_id,
    s.execution_end,
    s.execution_status,
    s.value,
    s.window_runs,
    s.window_mean,
    s.window_stddev,
    s.z_score,
    CASE
        WHEN d.run_number IS NOT NULL THEN 'DRIFT'
        WHEN b.run_number IS NOT NULL THEN 'BELOW_THRESHOLD'
        ELSE 'OK'
    END AS flag
FROM scored AS s
LEFT JOIN drifted AS d ON d.run_number = s.run_number
LEFT JOIN below_threshold AS b ON b.run_number = s.run_number
ORDER BY s.run_number
