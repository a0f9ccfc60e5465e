"""A use case's runs as one DataFrame row per pipeline execution: the replacement for SageMaker's
ExperimentAnalytics, read from the lake (one query, no Search API paging)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mlmeta.analytics.frames import to_frame
from mlmeta.config import DEFAULT_ENVIRONMENT
from mlmeta.analytics.source import DateLike, choose_engine, dt_range, pipeline_name
from mlmeta.analytics.use_cases import check_known_use_case
from mlmeta.queries.result import QueryResult
from mlmeta.queries.runner import AthenaTarget, run_named

IDENTITY_COLUMNS = ("pipeline_execution_id", "execution_status", "execution_start", "execution_end")
METRIC_PREFIX = "metric."
PARAMETER_PREFIX = "param."
_EXECUTION = "pipeline_execution_id"


def runs(
    use_case: str,
    env: str = DEFAULT_ENVIRONMENT,
    *,
    lake: Path | str | None = None,
    athena: bool | AthenaTarget | None = None,
    since: DateLike | None = None,
    until: DateLike | None = None,
) -> pd.DataFrame:
    """One row per execution of the use case's pipeline in ``env`` whose end falls in [since, until]
    (UTC dates), oldest first.

    Columns: ``pipeline_execution_id``, ``execution_status``, ``execution_start`` and ``execution_end``
    (UTC timestamps); ``metric.<name>`` per analysis-trial metric (float; one value per execution, as
    metric_history picks it); ``param.<step>.<name>`` per component parameter (text, as stored; NaN
    where that execution's step had no such parameter).

    No rows for a use case that does not exist is an AnalyticsError naming the ones that do
    (``mlmeta.analytics.use_cases``); a lake directory without the lake's layout is a QueryError.
    """
    engine = choose_engine(lake, athena, env)
    from_dt, to_dt = dt_range(since, until, engine)
    pipeline = pipeline_name(use_case, env)
    frame = pivot_runs(run_named("runs", [pipeline, from_dt, to_dt], **engine.kwargs))
    if frame.empty:
        check_known_use_case(use_case, pipeline, engine, (from_dt, to_dt))
    return frame


def pivot_runs(result: QueryResult) -> pd.DataFrame:
    """The long rows of the ``runs`` query (one per metric or parameter value) as one row per execution."""
    rows = to_frame(result)
    # The query orders by execution end and id, so the first row of an execution keeps that order.
    identity = rows.drop_duplicates(_EXECUTION)[list(IDENTITY_COLUMNS)].set_index(_EXECUTION)
    metric_rows = rows[rows["kind"] == "metric"]
    metrics = _wide(metric_rows, METRIC_PREFIX + metric_rows["name"], "metric_value").astype("float64")
    parameter_rows = rows[rows["kind"] == "parameter"]
    parameter_labels = PARAMETER_PREFIX + parameter_rows["component"] + "." + parameter_rows["name"]
    parameters = _wide(parameter_rows, parameter_labels, "parameter_value")
    return identity.join(metrics).join(parameters).reset_index()


def _wide(rows: pd.DataFrame, column: pd.Series, values: str) -> pd.DataFrame:
    """One column per distinct ``column`` label (sorted), one row per execution; absent values NaN.

    Two components of one step that share a parameter name would collide: the first the query
    returns wins."""
    labelled = rows.assign(column=column).drop_duplicates([_EXECUTION, "column"])
    wide = labelled.pivot(index=_EXECUTION, columns="column", values=values)
    wide.columns.name = None
    return wide
