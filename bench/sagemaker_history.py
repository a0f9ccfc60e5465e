"""Pipeline executions put into (moto's) SageMaker as Pipelines and the evaluation step leave them:
an experiment, trials 1.1 and 1.2, their trial components with parameters and artifacts, and the
logged metrics (SageMaker Metrics' BatchPutMetrics).

The executions come from ``mlmeta.local.synthetic_lake`` (seeded, deterministic): its component and metric
snapshot records are exactly what a snapshot of each execution should find, so they are turned back
into the SageMaker entities they describe.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from bench.runtime_support import runtime_shapes
from mlmeta.local.synthetic_lake import LakeRecords, generate_history
from mlmeta_runtime.pipelines import identify_execution
from mlmeta_runtime.settings import Settings
from snapshotter.snapshot import FinishedExecution

Record = Mapping[str, Any]
SPACING = timedelta(hours=9)  # between executions (synthetic's default)


@dataclass(frozen=True)
class Execution:
    """One execution's records: its component snapshots and metric snapshots."""

    components: tuple[Record, ...]
    metrics: tuple[Record, ...]

    @property
    def identity(self) -> Record:
        return self.components[0]

    def finished(self, settings: Settings) -> FinishedExecution:
        """The execution as the snapshotter sees it when its Succeeded/Failed/Stopped event arrives."""
        return FinishedExecution(
            pipeline=identify_execution(self.identity["pipeline_execution_arn"], convention=settings.convention, environment=settings.environment),
            status=self.identity["execution_status"],
            start=parse_time(self.identity["execution_start"]),
            end=parse_time(self.identity["execution_end"]),
        )

    def components_per_trial(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for component in self.components:
            counts[component["trial_kind"]] += 1
        return dict(counts)


def recent_start() -> datetime:
    """A start for an execution that has just ended when the benchmark runs (its metrics are then
    recent enough for CloudWatch, so the snapshotter emits them); on the hour, so that runs within the same
    hour generate identical workloads."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)


def executions_before(last_start: datetime, *, seed: int, count: int) -> list[Execution]:
    """``count`` seeded synthetic executions of churn-prediction-dev, ``SPACING`` apart, the last starting at ``last_start``."""
    return executions_of(generate_history(seed=seed, executions=count, spacing=SPACING, start=last_start - SPACING * (count - 1)))


def executions_of(records: LakeRecords) -> list[Execution]:
    """The records grouped by execution, in generation order."""
    components: dict[str, list[Record]] = defaultdict(list)
    metrics: dict[str, list[Record]] = defaultdict(list)
    for record in records.component_snapshots:
        components[record["pipeline_execution_id"]].append(record)
    for record in records.metric_snapshots:
        metrics[record["pipeline_execution_id"]].append(record)
    return [Execution(tuple(rows), tuple(metrics[execution_id])) for execution_id, rows in components.items()]


def widened(execution: Execution, components: int) -> Execution:
    """The execution with ``components`` trial components: its evaluation component (trial 1.2) plus
    ``components - 1`` training-job components in trial 1.1, as a tuning step leaves them (copies of
    its train component and that component's metrics under numbered job names)."""
    if components < 1:
        raise ValueError("an execution needs at least its evaluation component")
    evaluation = next(c for c in execution.components if c["trial_component_name"].endswith("-analysis-evaluation"))
    train = next(c for c in execution.components if c["step_name"] == "train")
    rows, metrics = [evaluation], [m for m in execution.metrics if m["trial_component_name"] == evaluation["trial_component_name"]]
    train_metrics = [m for m in execution.metrics if m["trial_component_name"] == train["trial_component_name"]]
    for number in range(components - 1):
        name = train["trial_component_name"].replace("-aws-training-job", f"-{number:03d}-aws-training-job")
        rows.append({**train, "trial_component_name": name})
        metrics += [{**metric, "trial_component_name": name} for metric in train_metrics]
    return Execution(tuple(rows), tuple(metrics))


class SageMakerHistory:
    """Puts executions into one account's SageMaker through its API (``sagemaker`` and ``sagemaker-metrics`` clients)."""

    def __init__(self, sagemaker: Any, sagemaker_metrics: Any = None) -> None:
        self._sagemaker = sagemaker
        self._metrics = sagemaker_metrics or _sagemaker_metrics()
        self._experiments: set[str] = set()
        self._trials: set[str] = set()
        self.components = 0

    def put(self, executions: Sequence[Execution]) -> None:
        for execution in executions:
            metrics: dict[str, list[Record]] = defaultdict(list)
            for metric in execution.metrics:
                metrics[metric["trial_component_name"]].append(metric)
            for component in execution.components:
                self._put_component(component, metrics[component["trial_component_name"]])

    def _put_component(self, component: Record, metrics: Sequence[Record]) -> None:
        experiment, trial, name = component["experiment_name"], component["trial_name"], component["trial_component_name"]
        if experiment not in self._experiments:
            self._sagemaker.create_experiment(ExperimentName=experiment)
            self._experiments.add(experiment)
        if trial not in self._trials:
            self._sagemaker.create_trial(TrialName=trial, ExperimentName=experiment)
            self._trials.add(trial)
        self._sagemaker.create_trial_component(
            TrialComponentName=name,
            Status={"PrimaryStatus": component["status"]},
            StartTime=parse_time(component["start_time"]),
            EndTime=parse_time(component["end_time"]),
            Parameters={key: {"StringValue": value} for key, value in component["parameters"].items()},
            InputArtifacts={key: {"Value": value} for key, value in component["input_artifacts"].items()},
            OutputArtifacts={key: {"Value": value} for key, value in component["output_artifacts"].items()},
        )
        self._sagemaker.associate_trial_component(TrialComponentName=name, TrialName=trial)
        if metrics:
            self._metrics.batch_put_metrics(
                TrialComponentName=name,
                MetricData=[
                    {"MetricName": m["metric_name"], "Timestamp": parse_time(m["metric_time"]), "Step": 0, "Value": m["metric_value"]}
                    for m in metrics
                ],
            )
        self.components += 1


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@functools.cache
def _sagemaker_metrics() -> Any:
    # Created once (a client costs ~80 ms); moto serves it in every mock_aws context.
    return boto3.client("sagemaker-metrics", region_name=runtime_shapes.REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
