"""Notebook access to the metric lake as pandas DataFrames, from a local lake (DuckDB) or Athena.

    from mlmeta import analytics

    df = analytics.runs("churn-prediction", "prod", athena=True, since="2026-01-01")
    df = analytics.runs("churn-prediction", "dev", lake="out/demo/lake")
    auc = analytics.metric_history("auc", "churn-prediction", "dev", lake="out/demo/lake")
    drift = analytics.metric_drift("auc", "churn-prediction", "dev", lake="out/demo/lake", min_value=0.85)

Bad arguments raise ``AnalyticsError``; a failing query (missing lake, Athena error, no credentials)
raises ``mlmeta.queries.catalog.QueryError``. Both are ValueErrors with a one-line message.
See docs/analytics.md.
"""

from mlmeta.analytics.history import metric_drift, metric_history
from mlmeta.analytics.runs import IDENTITY_COLUMNS, METRIC_PREFIX, PARAMETER_PREFIX, pivot_runs, runs
from mlmeta.analytics.source import ATHENA_DEFAULT_DAYS, AnalyticsError, pipeline_name
from mlmeta.queries.catalog import QueryError
from mlmeta.queries.drift_defaults import DEFAULT_MIN_CHANGE, DEFAULT_WINDOW, DEFAULT_Z_THRESHOLD
from mlmeta.queries.runner import AthenaTarget

__all__ = [
    "ATHENA_DEFAULT_DAYS",
    "DEFAULT_MIN_CHANGE",
    "DEFAULT_WINDOW",
    "DEFAULT_Z_THRESHOLD",
    "IDENTITY_COLUMNS",
    "METRIC_PREFIX",
    "PARAMETER_PREFIX",
    "AnalyticsError",
    "AthenaTarget",
    "QueryError",
    "metric_drift",
    "metric_history",
    "pipeline_name",
    "pivot_runs",
    "runs",
]
