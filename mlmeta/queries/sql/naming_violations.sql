-- Query: naming_violations
-- Description: Recent naming-convention violations, newest first: who created what, which rule it broke and why.
-- Param 1: from_dt date - first dt partition (UTC date of the check, YYYY-MM-DD), inclusive
--
-- Columns: checked_at, actor_arn, resource_type, resource_name, rule, reason, source.
SELECT
    checked_at,
    actor_arn,
    resource_type,
    resource_name,
    rule,
    reason,
    source
FROM naming_audit
WHERE verdict = 'violation'
  AND dt >= ?
ORDER BY from_iso8601_timestamp(checked_at) DESC, actor_arn, resource_type, resource_name
