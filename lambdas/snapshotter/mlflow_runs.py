"""Trial 1.2 read from MLflow (``MLMETA_TRACKING_BACKEND=mlflow``), shaped as SageMaker Search's trial
components, so the records, the completeness check and the lake rows are those of the SageMaker path.

Pipelines still creates trial 1.1 in SageMaker Experiments (PipelineExperimentConfig: the jobs' own
components), so it is read from SageMaker Search as always; the evaluate step records trial 1.2 in MLflow
as one run per analysis component (pipelines/common/mlflow_tracking.py). The runs of an execution are
found by the execution-ARN tag in the experiment ``{usecase}-{env}-pipeline`` (search_runs, every page),
and each run maps to a component:

- name: the run's name (the convention's analysis-component name); parent: its ``mlmeta:trial`` tag;
- status: FINISHED -> Completed, FAILED -> Failed, KILLED -> Stopped, RUNNING/SCHEDULED -> InProgress;
- parameters as text (the step writes numbers as the lake writes SageMaker's), plus
  ``mlmeta:metrics-logged`` from the tag the step sets before logging (completeness.py reads it);
- artifacts from the ``mlmeta:input-artifact:*`` / ``mlmeta:output-artifact:*`` tags;
- a metric summary per metric from its full history (GetMetricHistory): Last is MLflow's latest value
  (highest step, then time), Count/Min/Max/Avg over every value, StdDev the sample standard deviation
  (none for a single value, as the lake keeps SageMaker's non-finite one).

An unreachable MLflow raises ``MlflowUnreachable`` before anything is written: Lambda retries the event.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from mlmeta_contract.mlflow.client import MlflowClient
from mlmeta_contract.mlflow.names import (
    TAG_INPUT_ARTIFACT_PREFIX,
    TAG_METRICS_LOGGED,
    TAG_OUTPUT_ARTIFACT_PREFIX,
    TAG_TRIAL,
    execution_filter,
)
from mlmeta_contract.mlflow.times import moment
from mlmeta_contract.naming.tags import METRICS_LOGGED
from mlmeta_runtime.pipelines import IdentifiedExecution
from snapshotter.snapshot import TrialComponents, read_trial_components

STATUSES = {"FINISHED": "Completed", "FAILED": "Failed", "KILLED": "Stopped", "RUNNING": "InProgress", "SCHEDULED": "InProgress"}


class MlflowAnalysisTrials:
    """The snapshot's trials: 1.1 from SageMaker Search, 1.2 from MLflow (snapshot.py's ``TrialSource``)."""

    def __init__(self, sagemaker: Any, mlflow: MlflowClient) -> None:
        self._sagemaker = sagemaker
        self._mlflow = mlflow

    def read(self, execution: IdentifiedExecution, trial_name: str, trial_kind: str) -> TrialComponents:
        if trial_kind != "analysis":
            return read_trial_components(self._sagemaker, trial_name, trial_kind)
        return read_analysis_runs(self._mlflow, execution)


def read_analysis_runs(client: MlflowClient, execution: IdentifiedExecution) -> TrialComponents:
    """The execution's analysis runs as trial components of trial 1.2 (none when its experiment has no runs)."""
    experiment = client.get_experiment_by_name(execution.experiment_name)
    if experiment is None:
        return TrialComponents(execution.analysis_trial, "analysis", ())
    runs = client.search_runs([str(experiment["experiment_id"])], filter_string=execution_filter(execution.execution_arn))
    components = [
        run_as_trial_component(client, run, execution.experiment_name)
        for run in runs
        if _tags(run).get(TAG_TRIAL) == execution.analysis_trial
    ]
    return TrialComponents(execution.analysis_trial, "analysis", tuple(components))


def run_as_trial_component(client: MlflowClient, run: Mapping[str, Any], experiment_name: str) -> dict[str, Any]:
    info, tags = run["info"], _tags(run)
    parameters: dict[str, Any] = {p["key"]: {"StringValue": p["value"]} for p in (run.get("data") or {}).get("params") or []}
    logged = tags.get(TAG_METRICS_LOGGED, "")
    if logged.isdigit():
        parameters[METRICS_LOGGED] = {"NumberValue": float(logged)}
    latest = (run.get("data") or {}).get("metrics") or []
    return {
        "TrialComponentName": info.get("run_name"),
        "Status": {"PrimaryStatus": STATUSES.get(str(info.get("status")), str(info.get("status")))},
        "StartTime": moment(info.get("start_time")),
        "EndTime": moment(info.get("end_time")),
        "Parameters": parameters,
        "InputArtifacts": _artifacts(tags, TAG_INPUT_ARTIFACT_PREFIX),
        "OutputArtifacts": _artifacts(tags, TAG_OUTPUT_ARTIFACT_PREFIX),
        "Metrics": [metric_summary(m, client.get_metric_history(info["run_id"], m["key"])) for m in latest],
        "Parents": [{"TrialName": tags.get(TAG_TRIAL), "ExperimentName": experiment_name}],
        "Tags": [{"Key": key, "Value": value} for key, value in sorted(tags.items())],
    }


def metric_summary(latest: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A TrialComponentMetricSummary from MLflow's latest value and the metric's history."""
    values = [float(v["value"]) for v in history if isinstance(v.get("value"), (int, float)) and math.isfinite(v["value"])]
    summary: dict[str, Any] = {
        "MetricName": latest["key"],
        "Last": latest.get("value"),
        "TimeStamp": moment(latest.get("timestamp")),
        "Count": len(history),
    }
    if values:
        summary.update(Min=min(values), Max=max(values), Avg=statistics.fmean(values))
    if len(values) > 1:
        summary["StdDev"] = statistics.stdev(values)
    return summary


def _tags(run: Mapping[str, Any]) -> dict[str, str]:
    return {t["key"]: t["value"] for t in (run.get("data") or {}).get("tags") or []}


def _artifacts(tags: Mapping[str, str], prefix: str) -> dict[str, dict[str, str]]:
    return {key[len(prefix):]: {"Value": value} for key, value in tags.items() if key.startswith(prefix) and len(key) > len(prefix)}

