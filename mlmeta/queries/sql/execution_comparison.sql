-- Query: execution_comparison
-- Description: Two pipeline executions side by side: the metrics and the component parameters that differ, including those present in one execution only.
-- Param 1: execution_a varchar - pipeline execution id shown as value_a, e.g. p4jn9xou8a8s
-- Param 2: execution_b varchar - pipeline execution id shown as value_b
-- Param 3: from_dt date <= to_dt - first dt partition holding either execution (UTC date of its end, YYYY-MM-DD), inclusive
-- Param 4: to_dt date - last dt partition (YYYY-MM-DD), inclusive
--
-- Columns: kind (metric | parameter), component, name, value_a, value_b (null: absent there).
-- component is "<trial_kind>/<step>": the pipeline step when known, else the trial component name
-- with the execution id replaced by {execution}, so components match across executions. Metric
-- values are compared as doubles and shown as text.
-- An execution with no snapshot between from_dt and to_dt (a mistyped id, a wrong range) is not
-- compared: the result is one row per such execution, kind unknown_execution and name execution_a or
-- execution_b, instead of every value of the other one as a difference (mlmeta query makes it an error).
WITH snapshot_rows AS (
    -- One scan shape for both tables, so the dt bounds below are written once and still prune
    -- the partitions of each table (the predicate is pushed into both sides of the UNION ALL).
    SELECT
        'metric' AS kind,
        pipeline_execution_id,
        trial_kind,
        step_name,
        trial_component_name,
        metric_name,
        metric_value,
        CAST(NULL AS map(varchar, varchar)) AS parameters,
        dt
    FROM metric_snapshots
    UNION ALL
    SELECT
        'parameter' AS kind,
        pipeline_execution_id,
        trial_kind,
        step_name,
        trial_component_name,
        CAST(NULL AS varchar) AS metric_name,
        CAST(NULL AS double) AS metric_value,
        parameters,
        dt
    FROM component_snapshots
),
selected AS (
    -- Athena accepts '?' only in WHERE clauses: each row is paired with the side(s) whose execution
    -- id it has, so comparing an execution with itself puts every row on both sides.
    SELECT
        sides.side,
        r.kind,
        r.trial_kind || '/' || coalesce(r.step_name, replace(r.trial_component_name, r.pipeline_execution_id, '{execution}')) AS component,
        r.metric_name,
        r.metric_value,
        r.parameters
    FROM snapshot_rows AS r
    CROSS JOIN (VALUES 'a', 'b') AS sides (side)
    WHERE ((sides.side = 'a' AND r.pipeline_execution_id = ?) OR (sides.side = 'b' AND r.pipeline_execution_id = ?))
      AND r.dt >= ?
      AND r.dt <= ?
),
metrics AS (
    SELECT side, component, metric_name AS name, metric_value AS value
    FROM selected
    WHERE kind = 'metric'
),
parameter_values AS (
    SELECT s.side, s.component, p.name, p.value
    FROM selected AS s
    CROSS JOIN UNNEST(s.parameters) AS p (name, value)
    WHERE s.kind = 'parameter'
),
metric_diffs AS (
    SELECT
        'metric' AS kind,
        coalesce(a.component, b.component) AS component,
        coalesce(a.name, b.name) AS name,
        CAST(a.value AS varchar) AS value_a,
        CAST(b.value AS varchar) AS value_b
    FROM (SELECT * FROM metrics WHERE side = 'a') AS a
    FULL OUTER JOIN (SELECT * FROM metrics WHERE side = 'b') AS b
        ON a.component = b.component AND a.name = b.name
    WHERE a.name IS NULL OR b.name IS NULL OR a.value IS DISTINCT FROM b.value
),
parameter_diffs AS (
    SELECT
        'parameter' AS kind,
        coalesce(a.component, b.component) AS component,
        coalesce(a.name, b.name) AS name,
        a.value AS value_a,
        b.value AS value_b
    FROM (SELECT * FROM parameter_values WHERE side = 'a') AS a
    FULL OUTER JOIN (SELECT * FROM parameter_values WHERE side = 'b') AS b
        ON a.component = b.component AND a.name = b.name
    WHERE a.name IS NULL OR b.name IS NULL OR a.value IS DISTINCT FROM b.value
),
unknown_executions AS (
    SELECT
        'unknown_execution' AS kind,
        CAST(NULL AS varchar) AS component,
        'execution_' || sides.side AS name,
        CAST(NULL AS varchar) AS value_a,
        CAST(NULL AS varchar) AS value_b
    FROM (VALUES 'a', 'b') AS sides (side)
    WHERE sides.side NOT IN (SELECT side FROM selected)
)
SELECT kind, component, name, value_a, value_b FROM unknown_executions
UNION ALL
SELECT kind, component, name, value_a, value_b FROM metric_diffs
WHERE NOT EXISTS (SELECT 1 FROM unknown_executions)
UNION ALL
SELECT kind, component, name, value_a, value_b FROM parameter_diffs
WHERE NOT EXISTS (SELECT 1 FROM unknown_executions)
ORDER BY kind, component, name
