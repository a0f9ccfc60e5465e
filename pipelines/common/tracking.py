"""Trial 1.2 of a pipeline execution: the analysis trial, its component and the metrics that matter.

SageMaker Pipelines creates trial 1.1 ``{usecase}-{env}-{execution_id}`` itself (PipelineExperimentConfig)
and records the environment there. The evaluation step records the analysis here, in the same
experiment ``{usecase}-{env}-pipeline``:

- trial ``{usecase}-{env}-{execution_id}-analysis`` and its component ``{trial}-{step}``, both tagged;
- the component's parameters and input/output artifacts, then its metrics through SageMaker Metrics'
  ``BatchPutMetrics`` (which accepts only lowercase component names: the convention guarantees it);
- how many metrics it logs, as the parameter ``mlmeta:metrics-logged``, set with the component (before
  the metrics): SageMaker Search shows metrics some time after BatchPutMetrics, and the snapshotter
  compares what Search shows with this count, waiting until they agree (lambdas/snapshotter/completeness.py).

Every name comes from ``mlmeta_contract.naming``. A step retry must not fail on what the first attempt created:
an entity that already exists is adopted (checked, tagged, updated), never duplicated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Mapping, Union

from botocore.exceptions import ClientError

from mlmeta_contract.naming import DEFAULT_CONVENTION, NamingConvention, new
from mlmeta_contract.naming.tags import METRICS_LOGGED, TAG_PIPELINE_EXECUTION_ARN, required_tags

ParameterValue = Union[str, int, float]
# The number of metrics the component logs; the snapshotter reads it (lambdas/snapshotter/completeness.py).
# BatchPutMetrics takes at most 10 values per call.
METRICS_PER_CALL = 10
DEFAULT_STEP = "evaluation"


class TrackingError(RuntimeError):
    """SageMaker refused part of the record; the message names what and why."""


@dataclass(frozen=True)
class StepExecution:
    """The execution the step runs in, as Pipelines passes it (ExecutionVariables)."""

    use_case: str
    env: str
    execution_id: str
    execution_arn: str

    def __post_init__(self) -> None:
        # Both come from Pipelines; a mismatch means the step was wired wrongly, and the names would lie.
        if not self.execution_arn.endswith(f"/execution/{self.execution_id}"):
            raise ValueError(f"execution ARN {self.execution_arn!r} does not end with execution id {self.execution_id!r}")


@dataclass(frozen=True)
class AnalysisRecord:
    experiment_name: str
    trial_name: str
    trial_component_name: str
    trial_arn: str
    trial_component_arn: str


class AnalysisTrial:
    """Names and records trial 1.2 of one execution. ``sagemaker`` and ``metrics`` are boto3 clients."""

    def __init__(
        self,
        execution: StepExecution,
        *,
        sagemaker: Any,
        metrics: Any,
        step: str = DEFAULT_STEP,
        convention: NamingConvention = DEFAULT_CONVENTION,
    ) -> None:
        parts = {"use_case": execution.use_case, "env": execution.env}
        self.execution = execution
        self.experiment_name = new("pipeline-experiment", convention=convention, **parts)
        self.trial_name = new("analysis-trial", execution_id=execution.execution_id, convention=convention, **parts)
        self.trial_component_name = new(
            "analysis-component", execution_id=execution.execution_id, step=step, convention=convention, **parts
        )
        self._sagemaker = sagemaker
        self._metrics = metrics

    def tags(self, kind: str) -> List[Dict[str, str]]:
        values = required_tags(use_case=self.execution.use_case, environment=self.execution.env, kind=kind)
        values[TAG_PIPELINE_EXECUTION_ARN] = self.execution.execution_arn
        return [{"Key": key, "Value": value} for key, value in values.items()]

    def record(
        self,
        *,
        parameters: Mapping[str, ParameterValue],
        metrics: Mapping[str, float],
        input_artifacts: Mapping[str, str],
        output_artifacts: Mapping[str, str],
        start_time: datetime,
        end_time: datetime,
    ) -> AnalysisRecord:
        reject_reserved_parameters(parameters)
        parameters = {**parameters, METRICS_LOGGED: len(metrics)}
        trial_arn = self._ensure_trial()
        component = {
            "TrialComponentName": self.trial_component_name,
            "Status": {"PrimaryStatus": "Completed"},
            "StartTime": start_time,
            "EndTime": end_time,
            "Parameters": {name: _parameter_value(name, value) for name, value in parameters.items()},
            "InputArtifacts": {name: {"Value": uri} for name, uri in input_artifacts.items()},
            "OutputArtifacts": {name: {"Value": uri} for name, uri in output_artifacts.items()},
        }
        component_arn = self._ensure_component(component)
        self._associate()
        self._put_metrics(metrics, end_time)
        return AnalysisRecord(
            experiment_name=self.experiment_name,
            trial_name=self.trial_name,
            trial_component_name=self.trial_component_name,
            trial_arn=trial_arn,
            trial_component_arn=component_arn,
        )

    def _ensure_trial(self) -> str:
        tags = self.tags("analysis-trial")
        try:
            created = self._sagemaker.create_trial(
                TrialName=self.trial_name, ExperimentName=self.experiment_name, DisplayName=self.trial_name, Tags=tags
            )
            return created["TrialArn"]
        except ClientError as err:
            if not _already_exists(err):
                raise
        existing = self._sagemaker.describe_trial(TrialName=self.trial_name)
        if existing.get("ExperimentName") != self.experiment_name:
            raise TrackingError(
                f"trial {self.trial_name} already exists in experiment {existing.get('ExperimentName')!r}, "
                f"not in {self.experiment_name!r}"
            )
        self._sagemaker.add_tags(ResourceArn=existing["TrialArn"], Tags=tags)
        return existing["TrialArn"]

    def _ensure_component(self, component: Dict[str, Any]) -> str:
        tags = self.tags("analysis-component")
        try:
            created = self._sagemaker.create_trial_component(DisplayName=self.trial_component_name, Tags=tags, **component)
            return created["TrialComponentArn"]
        except ClientError as err:
            if not _already_exists(err):
                raise
        # A retried step overwrites what the failed attempt recorded.
        updated = self._sagemaker.update_trial_component(**component)
        self._sagemaker.add_tags(ResourceArn=updated["TrialComponentArn"], Tags=tags)
        return updated["TrialComponentArn"]

    def _associate(self) -> None:
        try:
            self._sagemaker.associate_trial_component(TrialComponentName=self.trial_component_name, TrialName=self.trial_name)
        except ClientError as err:
            if not _already_exists(err):
                raise

    def _put_metrics(self, metrics: Mapping[str, float], timestamp: datetime) -> None:
        data = []
        for name, value in metrics.items():
            if not math.isfinite(value):
                raise TrackingError(f"metric {name} is {value}: SageMaker Metrics takes finite numbers only")
            data.append({"MetricName": name, "Timestamp": timestamp, "Step": 0, "Value": float(value)})
        for start in range(0, len(data), METRICS_PER_CALL):
            batch = data[start : start + METRICS_PER_CALL]
            response = self._metrics.batch_put_metrics(TrialComponentName=self.trial_component_name, MetricData=batch)
            errors = response.get("Errors") or []
            if errors:
                failed = ", ".join(f"{batch[e['MetricIndex']]['MetricName']} ({e['Code']})" for e in errors)
                raise TrackingError(f"BatchPutMetrics rejected metrics of {self.trial_component_name}: {failed}")


def reject_reserved_parameters(parameters: Mapping[str, ParameterValue]) -> None:
    """Both backends record the metrics count themselves (METRICS_LOGGED): a caller's own is refused."""
    if METRICS_LOGGED in parameters:
        raise ValueError(f"parameter {METRICS_LOGGED} is the tracking's own: it counts the metrics logged")


def _parameter_value(name: str, value: ParameterValue) -> Dict[str, Any]:
    # bool is an int in Python, but SageMaker would store True as 1.0: say what was meant instead.
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise TypeError(f"parameter {name} must be a string or a number, got {value!r}")
    if isinstance(value, str):
        return {"StringValue": value}
    return {"NumberValue": float(value)}


def _already_exists(err: ClientError) -> bool:
    """SageMaker says "already exists" with a ValidationException (or ResourceInUse) for experiment entities."""
    error = err.response.get("Error", {})
    code, message = error.get("Code", ""), error.get("Message", "").lower()
    return code == "ResourceInUse" or (code == "ValidationException" and ("already exists" in message or "already associated" in message))
