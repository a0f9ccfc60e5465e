"""The runs of a use case's EDA as a DataFrame, one row per run, and a chart of one metric over them.

    mlmeta.track.runs(use_case="churn-prediction", topic="feature-selection")
    mlmeta.track.chart("auc", use_case="churn-prediction", topic="feature-selection", out="auc.png")

The rows come from the backend the runs went to: SageMaker Search (one request per 100 components of
the user's EDA experiment, with their parameters and metric summaries), or MLflow's runs/search. The
chart is drawn by ``mlmeta.charts.render`` with each run as a point and the 7-run moving average.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date as Date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mlmeta.analytics.frames import TIMESTAMP_DTYPE
from mlmeta.analytics.runs import METRIC_PREFIX, PARAMETER_PREFIX
from mlmeta_contract.naming import new, validate
from mlmeta.track.errors import TrackingError
from mlmeta.track.names import COMPONENT, EXPERIMENT
from mlmeta.track.tracking import checked_and_connected

RUN_COLUMNS = ("run_name", "run", "topic", "date", "user", "trial", "experiment", "status", "start", "end")
# The chart's moving average, as metric_history's moving_avg_7.
MOVING_AVERAGE_RUNS = 7


def runs(
    *,
    use_case: str,
    topic: str | None = None,
    user: str | None = None,
    date: str | Date | None = None,
    env: str | None = None,
    backend: str | None = None,
    session: Any = None,
    tracking_uri: str | None = None,
) -> pd.DataFrame:
    """One row per EDA run of ``user`` (default: the caller, as ``mlmeta.track`` names it) on
    ``use_case``, of ``topic`` and ``date`` when given, oldest first.

    Columns: RUN_COLUMNS (``start`` and ``end`` UTC timestamps; ``status`` in SageMaker's words:
    InProgress, Completed, Failed, Stopped), then ``param.<name>`` per parameter (text, as the lake and
    MLflow keep them: 5 as ``"5"``) and ``metric.<name>`` per metric (its last value). No runs: an
    empty frame with RUN_COLUMNS.
    """
    # Every part checked before the first call, as mlmeta.track does (a topic stands in when none is given).
    connected = checked_and_connected(use_case=use_case, topic=topic or "any", run=None, user=user, date=date, env=env,
                                      backend=backend, session=session, tracking_uri=tracking_uri)
    experiment = new(EXPERIMENT, use_case=use_case, user=connected.user, convention=connected.convention)
    rows = []
    for record in connected.target.list_runs(experiment):
        verdict = validate(COMPONENT, record.run_name, connected.convention)
        if not verdict.compliant or not record.run_name.startswith(experiment + "-"):
            continue  # not a run mlmeta.track named
        parts = verdict.parts
        if topic is not None and parts["topic"] != topic:
            continue
        if date is not None and parts["date"] != _day(date):
            continue
        trial = record.run_name[: -len(parts["run"]) - 1]
        row: dict[str, object] = {
            "run_name": record.run_name, "run": parts["run"], "topic": parts["topic"], "date": parts["date"],
            "user": parts["user"], "trial": trial, "experiment": experiment, "status": record.status,
            "start": record.start, "end": record.end,
        }
        row |= {PARAMETER_PREFIX + name: value for name, value in record.parameters.items()}
        row |= {METRIC_PREFIX + name: value for name, value in record.metrics.items()}
        rows.append(row)
    return _frame(rows)


def chart(
    metric: str,
    *,
    use_case: str,
    topic: str | None = None,
    out: Path | str,
    frame: pd.DataFrame | None = None,
    **listing: Any,
) -> Path:
    """A PNG of ``metric`` over the runs (``frame``, or ``runs(use_case=..., topic=..., **listing)``)
    written to ``out``; its path."""
    import matplotlib.style

    from mlmeta.charts.render import DPI

    frame = runs(use_case=use_case, topic=topic, **listing) if frame is None else frame
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.style.context("default"):  # as mlmeta.charts.render.write_png: reproducible whatever matplotlibrc says
        figure = eda_figure(frame, metric, topic)
        figure.savefig(target, format="png", dpi=DPI, metadata={"Software": None})
    return target


def eda_figure(frame: pd.DataFrame, metric: str, topic: str | None = None) -> Any:
    """``mlmeta plot``'s figure of ``metric`` over the runs of ``frame``, without its drift marks (EDA
    runs are compared by eye, not drift-checked)."""
    from mlmeta.charts.metric_chart import MetricChart, plural
    from mlmeta.charts.render import DRIFT_POINTS, build_figure
    from mlmeta.queries.drift_defaults import DEFAULT_WINDOW, DEFAULT_Z_THRESHOLD

    column = METRIC_PREFIX + metric
    if column not in frame.columns or frame[column].isna().all():
        logged = sorted(c.removeprefix(METRIC_PREFIX) for c in frame.columns if c.startswith(METRIC_PREFIX))
        raise TrackingError(f"no run logged metric {metric!r}; the runs logged: {', '.join(logged) or 'no metrics'}")
    points = frame[frame[column].notna()]
    ends = points["end"].fillna(points["start"])
    values = pd.DataFrame({
        "pipeline_execution_id": points["run_name"].to_numpy(),
        "execution_end": pd.to_datetime(ends, utc=True).to_numpy(),
        "value": points[column].astype("float64").to_numpy(),
    }).sort_values("execution_end", kind="stable", ignore_index=True)
    values["execution_end"] = pd.to_datetime(values["execution_end"], utc=True)
    values["moving_avg_7"] = values["value"].rolling(MOVING_AVERAGE_RUNS, min_periods=1).mean()
    values["flag"] = "OK"
    label = str(points["experiment"].iloc[0]) + (f" ({topic})" if topic else "")
    chart = MetricChart(metric=metric, pipeline=label, from_dt="", to_dt="", window=DEFAULT_WINDOW,
                        z_threshold=DEFAULT_Z_THRESHOLD, min_value=None, runs=values)
    figure = build_figure(chart)
    axes = figure.axes[0]
    for line in [line for line in axes.get_lines() if line.get_gid() == DRIFT_POINTS]:
        line.remove()
    axes.set_title(f"{metric} of {label}: {plural(len(values), 'run')}")
    axes.set_xlabel("run end (UTC)")
    axes.legend(loc="best")
    return figure


def _frame(rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    if frame.empty:
        return pd.DataFrame(columns=list(RUN_COLUMNS))
    extra = sorted(c for c in frame.columns if c.startswith(PARAMETER_PREFIX))
    extra += sorted(c for c in frame.columns if c.startswith(METRIC_PREFIX))
    frame = frame[[*RUN_COLUMNS, *extra]]
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column], utc=True).astype(TIMESTAMP_DTYPE)
    return frame.sort_values(["start", "run_name"], kind="stable").reset_index(drop=True)


def _day(value: str | Date) -> str:
    return value.strftime("%Y%m%d") if isinstance(value, Date) else value
