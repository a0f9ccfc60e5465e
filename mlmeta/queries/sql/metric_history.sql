-- Query: metric_history
-- Description: One metric of one pipeline over time (analysis trials): one row per execution, oldest first, with a 7-run moving average and the change from the previous run.
-- Param 1: pipeline_name varchar - the pipeline, e.g. churn-prediction-prod
-- Param 2: metric_name varchar - the metric, e.g. auc
-- Param 3: from_dt date <= to_dt - first dt partition (UTC date of the execution end, YYYY-MM-DD), inclusive
-- Param 4: to_dt date - last dt partition (YYYY-MM-DD), inclusive
--
-- Columns: pipeline_execution_id, execution_end, execution_status, value, moving_avg_7 (this run and
-- the 6 before it), change and pct_change (100 * change / previous value) from the previous run;
-- both null for the first run, pct_change also null when the previous value is 0.
-- A metric logged by several components of one execution's analysis trial counts once: the value
-- with the latest metric_time wins, ties go to the first trial_component_name in sort order (the
-- view execution_metrics).
WITH runs AS (
    SELECT
        pipeline_execution_id,
        execution_end,
        execution_status,
        metric_value AS value,
        from_iso8601_timestamp(execution_end) AS ended_at
    FROM execution_metrics
    WHERE pipeline_name = ?
      AND metric_name = ?
      AND dt >= ?
      AND dt <= ?
),
with_previous AS (
    SELECT
        pipeline_execution_id,
        execution_end,
        execution_status,
        value,
        ended_at,
        avg(value) OVER (
            ORDER BY ended_at, pipeline_execution_id
            ROWS BETWEEN 6 PRECEDING AND CURRENT ROW
        ) AS moving_avg_7,
        lag(value) OVER (ORDER BY ended_at, pipeline_execution_id) AS previous_value
    FROM runs
)
SELECT
    pipeline_execution_id,
    execution_end,
    execution_status,
    value,
    moving_avg_7,
    value - previous_value AS change,
    100 * (value - previous_value) / nullif(previous_value, 0) AS pct_change
FROM with_previous
ORDER BY ended_at, pipeline_execution_id
