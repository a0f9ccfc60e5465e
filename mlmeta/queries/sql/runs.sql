-- Query: runs
-- Description: Every execution of one pipeline with its analysis metrics (one value per execution, as in metric_history) and its components' parameters, one row per value; mlmeta.analytics pivots it to one row per execution.
-- Param 1: pipeline_name varchar - the pipeline, e.g. churn-prediction-prod
-- Param 2: from_dt date <= to_dt - first dt partition (UTC date of the execution end, YYYY-MM-DD), inclusive
-- Param 3: to_dt date - last dt partition (YYYY-MM-DD), inclusive
--
-- Columns: pipeline_execution_id, execution_status, execution_start, execution_end, kind (metric |
-- parameter), component, name, metric_value, parameter_value. Ordered by execution end, execution
-- id, kind, component, name.
-- metric rows: analysis-trial metrics only; one value per execution and metric_name, picked by the
-- rule of metric_history (the latest metric_time wins, ties go to the first trial_component_name: the
-- view execution_metrics); component is null, parameter_value is null.
-- parameter rows: one per entry of a component's parameters map (every trial kind); component is
-- the pipeline step: step_name when known, else the component name without its "{trial}-" prefix
-- (analysis components are named {trial}-{step}); metric_value is null. Values stay text, as stored.
WITH snapshot_rows AS (
    -- One scan shape for both sources, so the filter below is written once and still prunes the dt
    -- partitions of each table (the predicate is pushed into both sides of the UNION ALL).
    SELECT
        'metric' AS kind,
        pipeline_name,
        pipeline_execution_id,
        execution_status,
        execution_start,
        execution_end,
        trial_name,
        trial_component_name,
        step_name,
        metric_name,
        metric_value,
        CAST(NULL AS map(varchar, varchar)) AS parameters,
        dt
    FROM execution_metrics
    UNION ALL
    SELECT
        'parameter' AS kind,
        pipeline_name,
        pipeline_execution_id,
        execution_status,
        execution_start,
        execution_end,
        trial_name,
        trial_component_name,
        step_name,
        CAST(NULL AS varchar) AS metric_name,
        CAST(NULL AS double) AS metric_value,
        parameters,
        dt
    FROM component_snapshots
),
selected AS (
    SELECT *
    FROM snapshot_rows
    WHERE pipeline_name = ?
      AND dt >= ?
      AND dt <= ?
),
parameter_values AS (
    SELECT
        s.pipeline_execution_id,
        s.execution_status,
        s.execution_start,
        s.execution_end,
        coalesce(s.step_name, replace(s.trial_component_name, s.trial_name || '-', ''), s.trial_component_name) AS component,
        p.name,
        p.value
    FROM selected AS s
    CROSS JOIN UNNEST(s.parameters) AS p (name, value)
    WHERE s.kind = 'parameter'
),
long_rows AS (
    SELECT
        pipeline_execution_id,
        execution_status,
        execution_start,
        execution_end,
        'metric' AS kind,
        CAST(NULL AS varchar) AS component,
        metric_name AS name,
        metric_value,
        CAST(NULL AS varchar) AS parameter_value
    FROM selected
    WHERE kind = 'metric'
    UNION ALL
    SELECT
        pipeline_execution_id,
        execution_status,
        execution_start,
        execution_end,
        'parameter' AS kind,
        component,
        name,
        CAST(NULL AS double) AS metric_value,
        value AS parameter_value
    FROM parameter_values
)
SELECT
    pipeline_execution_id,
    execution_status,
    execution_start,
    execution_end,
    kind,
    component,
    name,
    metric_value,
    parameter_value
FROM long_rows
ORDER BY from_iso8601_timestamp(execution_end), pipeline_execution_id, kind, component, name
