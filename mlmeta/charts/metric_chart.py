"""The data of a metric chart: one metric of one pipeline per execution, its 7-run moving average and
the runs that metric_drift flags. Built from the metric_history and metric_drift named queries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mlmeta.analytics.history import DEFAULT_WINDOW, DEFAULT_Z_THRESHOLD, metric_drift, metric_history
from mlmeta.analytics.source import OPEN_RANGE, DateLike, choose_engine, dt_range, pipeline_name
from mlmeta.queries.runner import AthenaTarget

DRIFT = "DRIFT"
BELOW_THRESHOLD = "BELOW_THRESHOLD"
# The chart's columns: metric_history's plus metric_drift's flag.
COLUMNS = ("pipeline_execution_id", "execution_end", "value", "moving_avg_7", "flag")


@dataclass(frozen=True)
class MetricChart:
    metric: str
    pipeline: str
    from_dt: str
    to_dt: str
    window: int
    z_threshold: float
    # None: no threshold line and no BELOW_THRESHOLD points.
    min_value: float | None
    # One row per execution, oldest first: COLUMNS, execution_end a UTC timestamp.
    runs: pd.DataFrame

    @property
    def drift_points(self) -> pd.DataFrame:
        return self.runs[self.runs["flag"] == DRIFT]

    @property
    def below_threshold_points(self) -> pd.DataFrame:
        return self.runs[self.runs["flag"] == BELOW_THRESHOLD]

    @property
    def dates(self) -> str:
        """The dt range in words ("between 2026-01-01 and 2026-12-31", or "at any date" when open)."""
        if (self.from_dt, self.to_dt) == OPEN_RANGE:
            return "at any date"
        return f"between {self.from_dt} and {self.to_dt}"

    def summary(self) -> str:
        """One line: what was plotted and what was flagged."""
        if self.runs.empty:
            return f"no {self.metric!r} values of pipeline {self.pipeline} {self.dates}"
        first, last = (self.runs["execution_end"].iloc[i].date().isoformat() for i in (0, -1))
        text = (
            f"{len(self.runs)} runs of {self.pipeline} {self.metric} from {first} to {last}; "
            f"{plural(len(self.drift_points), 'drift point')} (|z| >= {self.z_threshold:g} against the previous {self.window} runs)"
        )
        if self.min_value is not None:
            text += f"; {len(self.below_threshold_points)} below {self.min_value:g}"
        return text


def load_metric_chart(
    metric: str,
    use_case: str,
    env: str = "dev",
    *,
    lake: Path | str | None = None,
    athena: bool | AthenaTarget | None = None,
    since: DateLike | None = None,
    until: DateLike | None = None,
    window: int = DEFAULT_WINDOW,
    z_threshold: float = DEFAULT_Z_THRESHOLD,
    min_value: float | None = None,
) -> MetricChart:
    pipeline = pipeline_name(use_case, env)
    # The range is fixed once, so both queries read the same partitions (and "today" cannot move between them).
    from_dt, to_dt = dt_range(since, until, choose_engine(lake, athena, env))
    scope = {"lake": lake, "athena": athena, "since": from_dt, "until": to_dt}
    history = metric_history(metric, use_case, env, **scope)
    drift = metric_drift(metric, use_case, env, window=window, z_threshold=z_threshold, min_value=min_value, **scope)
    # Same runs in both (same filter and dedup rule); a left join keeps every plotted run even so.
    runs = history.merge(drift[["pipeline_execution_id", "flag"]], on="pipeline_execution_id", how="left", validate="one_to_one")
    return MetricChart(
        metric=metric, pipeline=pipeline, from_dt=from_dt, to_dt=to_dt, window=window, z_threshold=z_threshold,
        min_value=min_value, runs=runs[list(COLUMNS)],
    )


def plural(count: int, noun: str) -> str:
    """``1 drift point``, ``4 drift points``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
