"""The SageMaker backend: an EDA run recorded through the API calls the SageMaker SDK's experiments
``Run`` makes, with boto3 only (the library does not depend on the SDK):

- CreateExperiment, CreateTrial, CreateTrialComponent (status InProgress, start time), each with the
  convention's required tags; an entity that exists already is reused (Describe, AddTags), so entering
  the same experiment and trial again creates nothing twice;
- AssociateTrialComponent (an "already associated" answer is success);
- UpdateTrialComponent for the parameters (on each ``log_params``) and for the final status and end time;
- BatchPutMetrics (SageMaker Metrics, at most 10 values per call) as the buffer fills and at the end.

A run without ``run=`` is the next free ``runN`` of its trial; a run with ``run=`` that exists is
reused (its parameters are overwritten, its metrics appended), like ``sagemaker.experiments.load_run``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from mlmeta_contract.naming import NamingConvention
from mlmeta.track.errors import BackendError, TrackingError
from mlmeta.track.names import AUTO_RUN_ATTEMPTS, COMPONENT, EXPERIMENT, TRIAL, EdaNames, auto_run
from mlmeta.track.backend_base import BatchingBackend
from mlmeta.track.run import RunRecord
from mlmeta.track.values import MetricPoint, ParameterValue
from mlmeta_contract.mlflow.keys import param_text

METRICS_PER_CALL = 10  # BatchPutMetrics' limit
SEARCH_PAGE = 100  # Search's MaxResults limit
# The SDK's mark of a component made by experiments.Run (Studio lists such components as runs).
RUN_SOURCE_TAG = {"Key": "sagemaker:trial-component-source", "Value": "run"}
# Limits of the API (SageMaker API reference): metric names, parameter keys and string values.
MAX_METRIC_NAME = 255
MAX_PARAMETER_KEY = 256
MAX_PARAMETER_STRING = 2500
STATUS_MESSAGE_LENGTH = 1024


class SageMakerRun(BatchingBackend):
    """One run's entities on SageMaker. ``sagemaker`` and ``metrics`` are boto3 clients."""

    backend = "sagemaker"
    metrics_per_batch = METRICS_PER_CALL

    def __init__(self, sagemaker: Any, metrics: Any, convention: NamingConvention) -> None:
        super().__init__()
        self._sagemaker = sagemaker
        self._metrics = metrics
        self._convention = convention
        self.arns: dict[str, str] = {}

    def check_metric_name(self, name: str) -> None:
        if len(name) > MAX_METRIC_NAME:
            raise TrackingError(f"metric name {name[:40]!r}... is {len(name)} characters; SageMaker Metrics takes at most {MAX_METRIC_NAME}")

    def check_parameter(self, name: str, value: ParameterValue) -> None:
        if len(name) > MAX_PARAMETER_KEY:
            raise TrackingError(f"parameter name {name[:40]!r}... is {len(name)} characters; SageMaker takes at most {MAX_PARAMETER_KEY}")
        if isinstance(value, str) and len(value) > MAX_PARAMETER_STRING:
            raise TrackingError(f"parameter {name} is {len(value)} characters; SageMaker takes at most {MAX_PARAMETER_STRING}: log a shorter string")

    def start(self, names: EdaNames, *, run_given: bool, started: datetime) -> EdaNames:
        """Create (or reuse) the experiment, trial and component; the run's names (an automatic run's
        number decided)."""
        self.arns["experiment"] = self._ensure_experiment(names)
        self.arns["trial"] = self._ensure_trial(names)
        names = self._ensure_component(names, started) if run_given else self._new_component(names, started)
        self._call("AssociateTrialComponent", names.component, self._sagemaker.associate_trial_component,
                   TrialComponentName=names.component, TrialName=names.trial, exists_ok=True)
        self.names = names
        return names

    def log_params(self, parameters: Mapping[str, ParameterValue]) -> None:
        names = self._started()
        values = {name: {"StringValue": v} if isinstance(v, str) else {"NumberValue": float(v)} for name, v in parameters.items()}
        self._call("UpdateTrialComponent", names.component, self._sagemaker.update_trial_component,
                   TrialComponentName=names.component, Parameters=values)

    def _send_metrics(self, names: EdaNames, batch: list[MetricPoint]) -> None:
        data = [_metric_datum(point) for point in batch]
        answer = self._call("BatchPutMetrics", names.component, self._metrics.batch_put_metrics,
                            TrialComponentName=names.component, MetricData=data)
        errors = answer.get("Errors") or []
        if errors:
            failed = ", ".join(f"{batch[e['MetricIndex']].name} ({e['Code']})" for e in errors)
            raise BackendError(f"SageMaker Metrics refused metrics of {names.component}: {failed}")

    def finish(self, *, failed: str | None, ended: datetime) -> None:
        names = self._started()
        try:
            self.flush()
        finally:
            status: dict[str, str] = {"PrimaryStatus": "Failed" if failed is not None else "Completed"}
            if failed:
                status["Message"] = failed[:STATUS_MESSAGE_LENGTH]
            self._call("UpdateTrialComponent", names.component, self._sagemaker.update_trial_component,
                       TrialComponentName=names.component, Status=status, EndTime=ended)

    def list_runs(self, experiment: str) -> list[RunRecord]:
        """Every trial component of ``experiment`` (SageMaker Search, 100 a page)."""
        expression = {"Filters": [{"Name": "Parents.ExperimentName", "Operator": "Equals", "Value": experiment}]}
        records, token = [], None
        while True:
            page = self._call("Search", experiment, self._sagemaker.search, Resource="ExperimentTrialComponent",
                              SearchExpression=expression, MaxResults=SEARCH_PAGE, **({"NextToken": token} if token else {}))
            records += [_record(result["TrialComponent"]) for result in page.get("Results", []) if "TrialComponent" in result]
            token = page.get("NextToken")
            if not token:
                return records

    def _ensure_experiment(self, names: EdaNames) -> str:
        tags = _tags(names.tags(EXPERIMENT))
        created = self._call("CreateExperiment", names.experiment, self._sagemaker.create_experiment, exists_ok=True,
                             ExperimentName=names.experiment, DisplayName=names.experiment, Tags=tags,
                             Description=f"Exploratory work of {names.user} on {names.use_case}: one dated trial per topic.")
        if created:
            return created["ExperimentArn"]
        existing = self._call("DescribeExperiment", names.experiment, self._sagemaker.describe_experiment, ExperimentName=names.experiment)
        self._call("AddTags", names.experiment, self._sagemaker.add_tags, ResourceArn=existing["ExperimentArn"], Tags=tags)
        return existing["ExperimentArn"]

    def _ensure_trial(self, names: EdaNames) -> str:
        tags = _tags(names.tags(TRIAL))
        created = self._call("CreateTrial", names.trial, self._sagemaker.create_trial, exists_ok=True,
                             TrialName=names.trial, ExperimentName=names.experiment, DisplayName=names.trial, Tags=tags)
        if created:
            return created["TrialArn"]
        existing = self._call("DescribeTrial", names.trial, self._sagemaker.describe_trial, TrialName=names.trial)
        if existing.get("ExperimentName") != names.experiment:
            raise BackendError(f"trial {names.trial} exists in experiment {existing.get('ExperimentName')!r}, not in "
                               f"{names.experiment!r}: pick another topic or date")
        self._call("AddTags", names.trial, self._sagemaker.add_tags, ResourceArn=existing["TrialArn"], Tags=tags)
        return existing["TrialArn"]

    def _new_component(self, names: EdaNames, started: datetime) -> EdaNames:
        """The next free runN of the trial, created; a name someone took meanwhile is skipped."""
        first = self._component_count(names.trial) + 1
        for number in range(first, first + AUTO_RUN_ATTEMPTS):
            candidate = names.with_run(auto_run(number), self._convention)
            created = self._create_component(candidate, started)
            if created:
                self.arns["component"] = created["TrialComponentArn"]
                return candidate
        raise BackendError(f"no free run name in trial {names.trial} from {auto_run(first)} to {auto_run(number)}: pass run=NAME")

    def _ensure_component(self, names: EdaNames, started: datetime) -> EdaNames:
        created = self._create_component(names, started)
        if created:
            self.arns["component"] = created["TrialComponentArn"]
            return names
        # Reused: in progress again, the first start time kept (as load_run does).
        updated = self._call("UpdateTrialComponent", names.component, self._sagemaker.update_trial_component,
                             TrialComponentName=names.component, Status={"PrimaryStatus": "InProgress"})
        self._call("AddTags", names.component, self._sagemaker.add_tags, ResourceArn=updated["TrialComponentArn"],
                   Tags=[*_tags(names.tags(COMPONENT)), RUN_SOURCE_TAG])
        self.arns["component"] = updated["TrialComponentArn"]
        return names

    def _create_component(self, names: EdaNames, started: datetime) -> dict[str, Any] | None:
        return self._call("CreateTrialComponent", names.component, self._sagemaker.create_trial_component, exists_ok=True,
                          TrialComponentName=names.component, DisplayName=names.component,
                          Status={"PrimaryStatus": "InProgress"}, StartTime=started,
                          Tags=[*_tags(names.tags(COMPONENT)), RUN_SOURCE_TAG])

    def _component_count(self, trial: str) -> int:
        count, token = 0, None
        while True:
            page = self._call("ListTrialComponents", trial, self._sagemaker.list_trial_components,
                              TrialName=trial, **({"NextToken": token} if token else {}))
            count += len(page.get("TrialComponentSummaries", []))
            token = page.get("NextToken")
            if not token:
                return count

    def _call(self, action: str, subject: str, method: Any, *, exists_ok: bool = False, **kwargs: Any) -> Any:
        """``method(**kwargs)``; with ``exists_ok``, None when SageMaker says the entity exists already."""
        try:
            return method(**kwargs)
        except ClientError as err:
            if exists_ok and already_exists(err):
                return None
            error = err.response.get("Error", {})
            raise BackendError(f"SageMaker refused {action} of {subject}: {error.get('Code')}: {error.get('Message')}") from None
        except BotoCoreError as err:
            raise BackendError(f"cannot reach SageMaker for {action} of {subject}: {err}") from None


def already_exists(err: ClientError) -> bool:
    """SageMaker says "already exists" with a ValidationException (or ResourceInUse) for experiment entities."""
    error = err.response.get("Error", {})
    code, message = error.get("Code", ""), error.get("Message", "").lower()
    return code == "ResourceInUse" or (code == "ValidationException" and ("already exists" in message or "already associated" in message))


def _record(component: Mapping[str, Any]) -> RunRecord:
    # Text, as the lake and MLflow keep parameters (5.0 as "5"), so runs() reads the same from both backends.
    parameters = {name: param_text(value.get("StringValue", value.get("NumberValue")))
                  for name, value in (component.get("Parameters") or {}).items()}
    metrics = {m["MetricName"]: float(m["Last"]) for m in component.get("Metrics") or [] if "Last" in m}
    return RunRecord(
        run_name=component["TrialComponentName"],
        status=(component.get("Status") or {}).get("PrimaryStatus", ""),
        start=component.get("StartTime"),
        end=component.get("EndTime"),
        parameters=parameters,
        metrics=metrics,
    )


def _tags(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def _metric_datum(point: MetricPoint) -> dict[str, Any]:
    datum: dict[str, Any] = {"MetricName": point.name, "Timestamp": point.timestamp, "Value": point.value}
    if point.step is not None:
        datum["Step"] = point.step
    return datum
