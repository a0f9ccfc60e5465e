"""One metric of one pipeline over time: the metric_history and metric_drift named queries as DataFrames."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd

from mlmeta.analytics.frames import to_frame
from mlmeta.config import DEFAULT_ENVIRONMENT
from mlmeta.analytics.source import AnalyticsError, DateLike, choose_engine, dt_range, pipeline_name
from mlmeta.queries.drift_defaults import DEFAULT_MIN_CHANGE, DEFAULT_WINDOW, DEFAULT_Z_THRESHOLD
from mlmeta.queries.runner import AthenaTarget, run_named

# metric_drift always compares with min_value; this one no finite value is below, so with
# min_value=None no run is BELOW_THRESHOLD. (Not -inf: Athena's parameters are SQL literals.)
NO_MIN_VALUE = -sys.float_info.max


def metric_history(
    metric: str,
    use_case: str,
    env: str = DEFAULT_ENVIRONMENT,
    *,
    lake: Path | str | None = None,
    athena: bool | AthenaTarget | None = None,
    since: DateLike | None = None,
    until: DateLike | None = None,
) -> pd.DataFrame:
    """The metric_history query: one row per execution, oldest first, with ``value``, ``moving_avg_7``,
    ``change`` and ``pct_change``; ``execution_end`` as a UTC timestamp."""
    engine = choose_engine(lake, athena, env)
    from_dt, to_dt = dt_range(since, until, engine)
    result = run_named("metric_history", [pipeline_name(use_case, env), metric, from_dt, to_dt], **engine.kwargs)
    return to_frame(result)


def metric_drift(
    metric: str,
    use_case: str,
    env: str = DEFAULT_ENVIRONMENT,
    *,
    window: int = DEFAULT_WINDOW,
    z_threshold: float = DEFAULT_Z_THRESHOLD,
    min_value: float | None = None,
    min_change: float = DEFAULT_MIN_CHANGE,
    lake: Path | str | None = None,
    athena: bool | AthenaTarget | None = None,
    since: DateLike | None = None,
    until: DateLike | None = None,
) -> pd.DataFrame:
    """The metric_drift query: each run against the median and MAD of the previous ``window`` runs, and its
    ``flag``: DRIFT if ``|z| >= z_threshold`` (z = (value - median) / (1.4826 * MAD)) and the value is at
    least ``min_change`` (a fraction) away from the median; else BELOW_THRESHOLD if ``value < min_value``;
    else OK. ``min_value=None`` never flags BELOW_THRESHOLD. Defaults: mlmeta.queries.drift_defaults."""
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise AnalyticsError(f"window must be a whole number of runs >= 1, got {window!r}")
    if not _finite(z_threshold) or z_threshold <= 0:
        raise AnalyticsError(f"z_threshold must be a positive number, got {z_threshold!r}")
    if min_value is not None and not _finite(min_value):
        raise AnalyticsError(f"min_value must be a finite number or None, got {min_value!r}")
    if not _finite(min_change) or min_change < 0:
        raise AnalyticsError(f"min_change must be a finite number >= 0 (a fraction of the median, e.g. 0.01), got {min_change!r}")
    engine = choose_engine(lake, athena, env)
    from_dt, to_dt = dt_range(since, until, engine)
    threshold = NO_MIN_VALUE if min_value is None else float(min_value)
    values = [pipeline_name(use_case, env), metric, from_dt, to_dt, window, float(z_threshold), threshold, float(min_change)]
    return to_frame(run_named("metric_drift", values, **engine.kwargs))


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
