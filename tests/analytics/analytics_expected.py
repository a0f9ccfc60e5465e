"""What mlmeta.analytics.runs should return, computed with pandas straight from the generated records
(no SQL): the independent side of the comparisons in test_runs.py."""

from __future__ import annotations

import pandas as pd

IDENTITY = ["pipeline_execution_id", "execution_status", "execution_start", "execution_end"]


def utc(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True, format="ISO8601")


def in_scope(frame: pd.DataFrame, pipeline: str, from_dt: str, to_dt: str) -> pd.DataFrame:
    return frame[(frame.pipeline_name == pipeline) & (frame.dt >= from_dt) & (frame.dt <= to_dt)]


def expected_runs(metric_frame: pd.DataFrame, component_frame: pd.DataFrame, pipeline: str,
                  from_dt: str = "0001-01-01", to_dt: str = "9999-12-31") -> pd.DataFrame:
    metrics = in_scope(metric_frame, pipeline, from_dt, to_dt)
    components = in_scope(component_frame, pipeline, from_dt, to_dt)

    # Dedup rule: per execution and metric, the latest metric_time wins, ties go to the first component name.
    analysis = metrics[metrics.trial_kind == "analysis"].assign(logged=lambda f: utc(f.metric_time))
    picked = analysis.sort_values(["logged", "trial_component_name"], ascending=[False, True])
    picked = picked.drop_duplicates(["pipeline_execution_id", "metric_name"])
    metric_columns = picked.pivot(index="pipeline_execution_id", columns="metric_name", values="metric_value").add_prefix("metric.")

    parameter_rows = [
        {
            "pipeline_execution_id": row.pipeline_execution_id,
            "column": f"param.{step_of(row)}.{name}",
            "value": value,
        }
        for row in components.itertuples()
        for name, value in row.parameters.items()
    ]
    parameter_columns = pd.DataFrame(parameter_rows).pivot(index="pipeline_execution_id", columns="column", values="value")

    identity = pd.concat([metrics[IDENTITY], components[IDENTITY]]).drop_duplicates("pipeline_execution_id")
    identity = identity.assign(execution_start=utc(identity.execution_start), execution_end=utc(identity.execution_end))
    identity = identity.sort_values(["execution_end", "pipeline_execution_id"]).set_index("pipeline_execution_id")
    wide = identity.join(metric_columns).join(parameter_columns).reset_index()
    wide.columns.name = None
    return wide


def step_of(component) -> str:
    """Known for job-created components (step_name); analysis components are named {trial}-{step}."""
    if isinstance(component.step_name, str):  # None became NaN in the frame
        return component.step_name
    return component.trial_component_name.removeprefix(component.trial_name + "-")
