"""The data of a metric chart: one metric of one pipeline per execution, its 7-run moving average and
the runs that metric_drift flags. Built from the metric_history and metric_drift named queries.

The chart draws the runs of its date range, but both queries read further back: a full drift window
of runs before the range (and the 6 runs the moving average needs), so a run at the start of a short
range is judged against its real history, as it would be in a chart of everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from mlmeta.analytics.history import metric_drift, metric_history
from mlmeta.analytics.source import ATHENA_DEFAULT_DAYS, OPEN_RANGE, DateLike, Engine, choose_engine, dt_range, pipeline_name
from mlmeta.config import DEFAULT_ENVIRONMENT
from mlmeta.queries.drift_defaults import DEFAULT_MIN_CHANGE, DEFAULT_WINDOW, DEFAULT_Z_THRESHOLD
from mlmeta.queries.runner import AthenaTarget

DRIFT = "DRIFT"
BELOW_THRESHOLD = "BELOW_THRESHOLD"
# The chart's columns: metric_history's plus metric_drift's flag.
COLUMNS = ("pipeline_execution_id", "execution_end", "value", "moving_avg_7", "flag")
# The moving average's own window, less the run itself (metric_history's moving_avg_7).
MOVING_AVERAGE_RUNS_BEFORE = 6
# On Athena, history before the range is looked for first this many days per run back (enough for a
# pipeline that runs at least every other day), then, if that held too few runs, a year back.
NEAR_LOOKBACK_DAYS_PER_RUN = 2


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
    # One row per execution in [from_dt, to_dt], oldest first: COLUMNS, execution_end a UTC timestamp.
    runs: pd.DataFrame
    # The first dt partition the queries read: a window of runs before from_dt, when there are any.
    read_from: str = OPEN_RANGE[0]
    min_change: float = DEFAULT_MIN_CHANGE

    @property
    def drift_rule(self) -> str:
        """The DRIFT rule in words, for the summary and the legend."""
        return f"|z| >= {self.z_threshold:g} and {percent(self.min_change)} off the median of the previous {self.window} runs"

    @property
    def drift_points(self) -> pd.DataFrame:
        return self.runs[self.runs["flag"] == DRIFT]

    @property
    def below_threshold_points(self) -> pd.DataFrame:
        """The runs flagged BELOW_THRESHOLD: below min_value and not DRIFT (a DRIFT flag wins)."""
        return self.runs[self.runs["flag"] == BELOW_THRESHOLD]

    @property
    def below_min_value(self) -> pd.DataFrame:
        """Every run below min_value, whatever its flag (empty without a min_value)."""
        if self.min_value is None:
            return self.runs.iloc[0:0]
        return self.runs[self.runs["value"] < self.min_value]

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
            f"{plural(len(self.runs), 'run')} of {self.pipeline} {self.metric} from {first} to {last}; "
            f"{plural(len(self.drift_points), 'drift point')} ({self.drift_rule})"
        )
        if self.min_value is not None:
            below = self.below_min_value
            text += f"; {len(below)} below {self.min_value:g}"
            drifting = int((below["flag"] == DRIFT).sum())
            if drifting:
                text += f" ({drifting} of them {'a drift point' if drifting == 1 else 'drift points'})"
        return text


def load_metric_chart(
    metric: str,
    use_case: str,
    env: str = DEFAULT_ENVIRONMENT,
    *,
    lake: Path | str | None = None,
    athena: bool | AthenaTarget | None = None,
    since: DateLike | None = None,
    until: DateLike | None = None,
    window: int = DEFAULT_WINDOW,
    z_threshold: float = DEFAULT_Z_THRESHOLD,
    min_value: float | None = None,
    min_change: float = DEFAULT_MIN_CHANGE,
) -> MetricChart:
    pipeline = pipeline_name(use_case, env)
    engine = choose_engine(lake, athena, env)
    # The range is fixed once, so every query reads the same partitions (and "today" cannot move between them).
    from_dt, to_dt = dt_range(since, until, engine)
    needed_before = max(window, MOVING_AVERAGE_RUNS_BEFORE)
    for read_from in _read_from_candidates(from_dt, needed_before, engine):
        scope = {"lake": lake, "athena": athena, "since": read_from, "until": to_dt}
        history = metric_history(metric, use_case, env, **scope)
        if _runs_before(history, from_dt) >= needed_before:
            break
    drift = metric_drift(metric, use_case, env, window=window, z_threshold=z_threshold, min_value=min_value,
                         min_change=min_change, **scope)
    # Same runs in both (same filter and dedup rule); a left join keeps every plotted run even so.
    runs = history.merge(drift[["pipeline_execution_id", "flag"]], on="pipeline_execution_id", how="left", validate="one_to_one")
    drawn = runs[_dt(runs) >= from_dt].reset_index(drop=True)
    return MetricChart(
        metric=metric, pipeline=pipeline, from_dt=from_dt, to_dt=to_dt, window=window, z_threshold=z_threshold,
        min_value=min_value, runs=drawn[list(COLUMNS)], read_from=read_from, min_change=min_change,
    )


def _read_from_candidates(from_dt: str, runs_needed: int, engine: Engine) -> Iterator[str]:
    """Where the queries start reading, nearest first, until one holds ``runs_needed`` runs before from_dt.

    A local lake costs nothing to read, so it is read from its start. On Athena every day read is
    scanned and billed: first a short reach back, then a year."""
    if from_dt == OPEN_RANGE[0]:
        yield from_dt
        return
    if engine.athena is None:
        yield OPEN_RANGE[0]
        return
    first = date.fromisoformat(from_dt)
    for days in (runs_needed * NEAR_LOOKBACK_DAYS_PER_RUN, ATHENA_DEFAULT_DAYS):
        # No earlier day than date.min (a --from in year 1 reads from its start).
        yield (first - timedelta(days=min(days, (first - date.min).days))).isoformat()


def _dt(runs: pd.DataFrame) -> pd.Series:
    """Each run's dt partition: the UTC date of its end."""
    return runs["execution_end"].dt.strftime("%Y-%m-%d")


def _runs_before(history: pd.DataFrame, from_dt: str) -> int:
    return int((_dt(history) < from_dt).sum())


def percent(fraction: float) -> str:
    """``1%``, ``0.5%``."""
    return f"{fraction * 100:g}%"


def plural(count: int, noun: str) -> str:
    """``1 drift point``, ``4 drift points``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
