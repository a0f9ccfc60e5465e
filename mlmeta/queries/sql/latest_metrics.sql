-- Query: latest_metrics
-- Description: The latest value of every metric of every pipeline (analysis trials), with the execution it comes from.
-- Param 1: from_dt date - first dt partition to look at (UTC date of the execution end, YYYY-MM-DD), inclusive
--
-- Columns: pipeline_name, metric_name, value, pipeline_execution_id, execution_end, execution_status.
-- The latest execution is the one that ended last (ties: the greater execution id); within it, the
-- same rule as metric_history picks one value: latest metric_time, then first trial_component_name.
WITH ranked AS (
    SELECT
        pipeline_name,
        metric_name,
        metric_value,
        pipeline_execution_id,
        execution_end,
        execution_status,
        row_number() OVER (
            PARTITION BY pipeline_name, metric_name
            ORDER BY
                from_iso8601_timestamp(execution_end) DESC,
                pipeline_execution_id DESC,
                from_iso8601_timestamp(metric_time) DESC NULLS LAST,
                trial_component_name ASC
        ) AS recency
    FROM metric_snapshots
    WHERE trial_kind = 'analysis'
      AND dt >= ?
)
SELECT
    pipeline_name,
    metric_name,
    metric_value AS value,
    pipeline_execution_id,
    execution_end,
    execution_status
FROM ranked
WHERE recency = 1
ORDER BY pipeline_name, metric_name
