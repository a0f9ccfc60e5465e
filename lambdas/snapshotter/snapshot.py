"""Metric and component snapshots of one finished pipeline execution (docs/design.md §5).

1. Gather: the trial components of trial 1.1 (``{usecase}-{env}-{execution_id}``) and trial 1.2
   (``…-analysis``) through the Search API (``Parents.TrialName`` equals the trial, 100 a page, paged
   with NextToken), so the number of calls grows with the execution's own components, never with the
   account's history. Each component's step: its ``mlmeta:step`` tag (the tagger's), else for an
   analysis component the ``{step}`` part of its name, else the step whose job is the component's
   source (ListPipelineExecutionSteps, called at most once per execution and only when needed).
   Then completeness (completeness.py): each analysis component's metric summaries against the number
   of metrics the evaluation step logged; shortly after the end, a shortfall raises (transient) before
   anything is written, later it is written with an incomplete-snapshot marker for the reconciler.
2. Build the records exactly per ``mlmeta_contract.lake.schema`` and sort them, so the same inputs always give
   the same bytes. ``snapshot_time`` is the execution's end, not the wall clock: a replayed or
   duplicated event writes byte-identical objects.
3. Write ``component_snapshots`` then ``metric_snapshots`` at
   ``raw/<table>/dt=<UTC date of the execution's end>/<execution_id>.json.gz``. Every AWS read
   happens before the first write, so a failed read (throttling, 5xx) raises with nothing written;
   the metric object is written last and marks a complete snapshot (the reconciler looks for it).
4. Emit each metric value as a CloudWatch metric (EMF) in namespace ``mlmeta``, named after the
   metric, with dimensions ``use_case``, ``environment`` and ``step``, timestamped at the execution's
   end (skipped when CloudWatch would drop it: older than 14 days or over 2 hours ahead). One EMF
   document (log line) per step carries all of that step's values, up to 100 metrics a document,
   rather than one document per value (a tuning step's 500 values: 4 log lines, not 500).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from mlmeta_contract.lake.layout import partition_value
from mlmeta_contract.lake.schema import COMPONENT_SNAPSHOTS, METRIC_SNAPSHOTS, SCHEMA_VERSION
from mlmeta_contract.events import TERMINAL_STATUSES
from mlmeta_contract.naming import NamingConvention, validate
from mlmeta_runtime.dispatch import handles
from mlmeta_runtime.events import PipelineExecutionStatusEvent
from mlmeta_runtime.lake_writer import LakeObject, iso_utc, write_objects
from mlmeta_runtime.pipelines import IdentifiedExecution, NotOurs, identify_execution
from mlmeta_runtime.tags import TAG_STEP, tag_dict
from snapshotter.completeness import IncompleteMarker, MetricsNotSearchableYet, marker_key, shortfalls, still_settling

logger = Logger(child=True)

SEARCH_PAGE_SIZE = 100
TRIAL_KINDS = ("environment", "analysis")  # trial 1.1, trial 1.2; also the records' sort order
JOB_METADATA_KEYS = ("ProcessingJob", "TrainingJob", "TransformJob")
# CloudWatch drops EMF data points older than 14 days or more than 2 hours in the future.
CLOUDWATCH_MAX_AGE = timedelta(days=14) - timedelta(hours=1)
CLOUDWATCH_MAX_AHEAD = timedelta(hours=2)
UNKNOWN_STEP = "unknown"
CLOUDWATCH_NAME_LIMIT = 255

# execution ARN -> {job ARN, lowercase: step name}
StepLookup = Callable[[str], Mapping[str, str]]


class TrialSource(Protocol):
    """Where a trial's components are read: SageMaker Search (the default), or MLflow for trial 1.2
    (mlflow_runs.py), in Search's TrialComponent shape either way."""

    def read(self, execution: IdentifiedExecution, trial_name: str, trial_kind: str) -> TrialComponents: ...


@dataclass(frozen=True)
class FinishedExecution:
    pipeline: IdentifiedExecution
    status: str
    start: datetime | None
    end: datetime

    @property
    def dt(self) -> str:
        return partition_value(self.end)


@dataclass(frozen=True)
class TrialComponents:
    trial_name: str
    trial_kind: str
    components: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class SnapshotResult:
    status: str  # written | skipped
    reason: str
    keys: tuple[str, ...] = ()
    components: int = 0
    metrics: int = 0
    emitted: int = 0
    # Metrics the analysis components logged that Search did not show: the snapshot is incomplete (marked).
    missing_metrics: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "keys": list(self.keys)}


@handles(PipelineExecutionStatusEvent)
def snapshot_finished_execution(
    event: PipelineExecutionStatusEvent, *, sagemaker: Any, s3: Any, settings: Any, trials_from: TrialSource | None
) -> SnapshotResult:
    """The snapshots of the execution ``event`` reports, once it has ended (``settings``: the snapshotter's:
    its lake bucket, convention, environment and metrics namespace)."""
    status = event.detail.current_status
    if status not in TERMINAL_STATUSES:
        return SnapshotResult("skipped", f"execution status {status}: snapshots are taken when it ends ({', '.join(TERMINAL_STATUSES)})")
    try:
        execution = finished_from_event(event, convention=settings.convention, environment=settings.environment)
    except NotOurs as err:
        return SnapshotResult("skipped", str(err))
    return snapshot_execution(
        sagemaker,
        s3,
        execution,
        bucket=settings.lake_bucket,
        convention=settings.convention,
        steps=execution_steps(sagemaker),
        metrics_namespace=settings.metrics_namespace,
        trials_from=trials_from,
    )


def finished_from_event(event: PipelineExecutionStatusEvent, *, convention: NamingConvention, environment: str) -> FinishedExecution:
    """The finished execution an event reports; raises NotOurs for executions this deployment skips."""
    detail = event.detail
    if detail.execution_end_time is None:  # the event model requires it for finished executions
        raise ValueError("a finished execution's event carries executionEndTime")
    return FinishedExecution(
        pipeline=identify_execution(detail.pipeline_execution_arn, convention=convention, environment=environment),
        status=detail.current_status,
        start=detail.execution_start_time,
        end=detail.execution_end_time,
    )


def execution_steps(sagemaker: Any) -> StepLookup:
    """The step of each job an execution ran, from ListPipelineExecutionSteps (paged)."""

    def lookup(execution_arn: str) -> dict[str, str]:
        steps: dict[str, str] = {}
        kwargs: dict[str, Any] = {"PipelineExecutionArn": execution_arn, "MaxResults": 100}
        while True:
            page = sagemaker.list_pipeline_execution_steps(**kwargs)
            for step in page.get("PipelineExecutionSteps", []):
                metadata = step.get("Metadata") or {}
                for key in JOB_METADATA_KEYS:
                    arn = (metadata.get(key) or {}).get("Arn")
                    if arn:
                        steps[arn.lower()] = step["StepName"]
            if not page.get("NextToken"):
                return steps
            kwargs["NextToken"] = page["NextToken"]

    return lookup


def snapshot_execution(
    sagemaker: Any,
    s3: Any,
    execution: FinishedExecution,
    *,
    bucket: str,
    convention: NamingConvention,
    steps: StepLookup,
    metrics_namespace: str,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    trials_from: TrialSource | None = None,
) -> SnapshotResult:
    if trials_from is None:
        trials = [read_trial_components(sagemaker, name, kind) for name, kind in _trials_of(execution.pipeline)]
    else:
        trials = [trials_from.read(execution.pipeline, name, kind) for name, kind in _trials_of(execution.pipeline)]
    missing = shortfalls([component for trial in trials if trial.trial_kind == "analysis" for component in trial.components])
    moment = now()
    if missing and still_settling(execution.end, moment):
        raise MetricsNotSearchableYet(execution.pipeline.execution_arn, missing)
    step_of = step_resolver(trials, execution.pipeline, convention, steps)
    components, metrics = snapshot_records(execution, trials, step_of)
    objects = [
        LakeObject(COMPONENT_SNAPSHOTS, execution.dt, execution.pipeline.execution_id, tuple(components)),
        LakeObject(METRIC_SNAPSHOTS, execution.dt, execution.pipeline.execution_id, tuple(metrics)),
    ]
    reason = f"execution {execution.pipeline.execution_arn} ({execution.status})"
    if missing:
        # The marker first: should a write below fail, the reconciler still comes back to this execution.
        marker = IncompleteMarker(execution.pipeline.execution_arn, execution.status, execution.start, execution.end)
        s3.put_object(Bucket=bucket, Key=marker_key(execution.pipeline.execution_id), Body=marker.body(missing),
                      ContentType="application/json")
        reason += f", incomplete: {'; '.join(map(str, missing))}"
        logger.warning(f"writing an incomplete snapshot, marked for the reconciler to complete: {reason}")
    keys = write_objects(s3, bucket, objects)
    emitted = emit_metrics(metrics, execution, namespace=metrics_namespace, now=moment)
    return SnapshotResult("written", reason, tuple(keys), len(components), len(metrics), emitted,
                          sum(shortfall.logged - shortfall.shown for shortfall in missing))


def read_trial_components(sagemaker: Any, trial_name: str, trial_kind: str) -> TrialComponents:
    """Every trial component of ``trial_name``: one Search call per 100 components."""
    found: list[Mapping[str, Any]] = []
    kwargs: dict[str, Any] = {
        "Resource": "ExperimentTrialComponent",
        "SearchExpression": {"Filters": [{"Name": "Parents.TrialName", "Operator": "Equals", "Value": trial_name}]},
        "MaxResults": SEARCH_PAGE_SIZE,
    }
    while True:
        page = sagemaker.search(**kwargs)
        found += [result["TrialComponent"] for result in page.get("Results", []) if result.get("TrialComponent")]
        if not page.get("NextToken"):
            return TrialComponents(trial_name, trial_kind, tuple(found))
        kwargs["NextToken"] = page["NextToken"]


def step_resolver(
    trials: Sequence[TrialComponents], execution: IdentifiedExecution, convention: NamingConvention, steps: StepLookup
) -> Callable[[TrialComponents, Mapping[str, Any]], str | None]:
    """A function giving each component's step; ListPipelineExecutionSteps only if a job component lacks the tag."""
    untagged_job = any(
        _source_arn(c) and TAG_STEP not in tag_dict(c.get("Tags")) for trial in trials for c in trial.components
    )
    job_steps = steps(execution.execution_arn) if untagged_job else {}

    def step_of(trial: TrialComponents, component: Mapping[str, Any]) -> str | None:
        tagged = tag_dict(component.get("Tags")).get(TAG_STEP)
        if tagged:
            return tagged
        if trial.trial_kind == "analysis":
            verdict = validate("analysis-component", str(component.get("TrialComponentName", "")), convention)
            if verdict.compliant:
                return verdict.parts["step"]
        source = _source_arn(component)
        return job_steps.get(source.lower()) if source else None

    return step_of


def snapshot_records(
    execution: FinishedExecution,
    trials: Sequence[TrialComponents],
    step_of: Callable[[TrialComponents, Mapping[str, Any]], str | None],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The component and metric records, each list in a fixed order."""
    snapshot_time = iso_utc(execution.end)
    components, metrics = [], []
    for trial in trials:
        for component in trial.components:
            identity = _identity(execution, trial, component, step_of(trial, component))
            components.append(
                {
                    **identity,
                    "status": (component.get("Status") or {}).get("PrimaryStatus"),
                    "start_time": _time(component.get("StartTime")),
                    "end_time": _time(component.get("EndTime")),
                    "parameters": _parameters(component.get("Parameters")),
                    "input_artifacts": _artifacts(component.get("InputArtifacts")),
                    "output_artifacts": _artifacts(component.get("OutputArtifacts")),
                    "snapshot_time": snapshot_time,
                }
            )
            metrics += [
                {**identity, **_metric_values(summary), "snapshot_time": snapshot_time}
                for summary in component.get("Metrics") or []
                if isinstance(summary.get("MetricName"), str) and summary["MetricName"]
            ]
    return sorted(components, key=_record_order), sorted(metrics, key=_record_order)


def emit_metrics(metrics: Sequence[Mapping[str, Any]], execution: FinishedExecution, *, namespace: str, now: datetime) -> int:
    """One EMF data point per metric value, one EMF document per dimension set; returns how many values were emitted."""
    if not now - CLOUDWATCH_MAX_AGE <= execution.end <= now + CLOUDWATCH_MAX_AHEAD:
        logger.info("execution ended outside CloudWatch's accepted window: no CloudWatch metrics, the lake has the values",
                    extra={"execution_end": iso_utc(execution.end)})
        return 0
    by_dimensions: dict[tuple[tuple[str, str], ...], list[tuple[str, float]]] = defaultdict(list)
    for record in metrics:
        value, name = record["metric_value"], record["metric_name"]
        if value is None or len(name) > CLOUDWATCH_NAME_LIMIT:
            continue
        dimensions = (("use_case", record["use_case"]), ("environment", record["environment"]), ("step", record["step_name"] or UNKNOWN_STEP))
        by_dimensions[dimensions].append((name, value))
    for dimensions, values in by_dimensions.items():
        # service="": Powertools would add a `service` dimension from POWERTOOLS_SERVICE_NAME, and the
        # snapshotter and the reconciler (two services) must publish a metric under the same dimensions.
        document = EphemeralMetrics(namespace=namespace, service="")
        for key, text in dimensions:
            document.add_dimension(name=key, value=text)
        document.set_timestamp(execution.end)
        for name, value in values:
            document.add_metric(name=name, unit=MetricUnit.NoUnit, value=value)  # prints a document at 100 metrics
        if document.metric_set:  # empty when the last value completed a document
            document.flush_metrics()
    return sum(len(values) for values in by_dimensions.values())


def _trials_of(execution: IdentifiedExecution) -> tuple[tuple[str, str], ...]:
    return ((execution.environment_trial, "environment"), (execution.analysis_trial, "analysis"))


def _identity(execution: FinishedExecution, trial: TrialComponents, component: Mapping[str, Any], step: str | None) -> dict[str, Any]:
    pipeline = execution.pipeline
    return {
        "schema_version": SCHEMA_VERSION,
        "use_case": pipeline.use_case,
        "environment": pipeline.environment,
        "pipeline_name": pipeline.pipeline_name,
        "pipeline_execution_id": pipeline.execution_id,
        "pipeline_execution_arn": pipeline.execution_arn,
        "execution_status": execution.status,
        "execution_start": iso_utc(execution.start),
        "execution_end": iso_utc(execution.end),
        "experiment_name": _experiment_of(component, trial.trial_name) or pipeline.experiment_name,
        "trial_name": trial.trial_name,
        "trial_kind": trial.trial_kind,
        "trial_component_name": component.get("TrialComponentName"),
        "step_name": step,
        "source_arn": _source_arn(component),
    }


def _metric_values(summary: Mapping[str, Any]) -> dict[str, Any]:
    count = summary.get("Count")
    return {
        "metric_name": summary["MetricName"],
        "metric_value": _finite(summary.get("Last")),
        "metric_min": _finite(summary.get("Min")),
        "metric_max": _finite(summary.get("Max")),
        "metric_avg": _finite(summary.get("Avg")),
        "metric_stddev": _finite(summary.get("StdDev")),
        "metric_count": int(count) if isinstance(count, (int, float)) and math.isfinite(count) else None,
        "metric_time": _time(summary.get("TimeStamp")),
    }


def _experiment_of(component: Mapping[str, Any], trial_name: str) -> str | None:
    for parent in component.get("Parents") or []:
        if parent.get("TrialName") == trial_name and parent.get("ExperimentName"):
            return str(parent["ExperimentName"])
    return None


def _source_arn(component: Mapping[str, Any]) -> str | None:
    arn = (component.get("Source") or {}).get("SourceArn")
    return arn if isinstance(arn, str) and arn else None


def _parameters(parameters: Mapping[str, Any] | None) -> dict[str, str]:
    """Parameter values as text: strings as they are, numbers without a spurious ``.0`` (200, 0.1)."""
    texts = {}
    for name, value in (parameters or {}).items():
        if isinstance(value.get("StringValue"), str):
            texts[name] = value["StringValue"]
        elif isinstance(value.get("NumberValue"), (int, float)):
            texts[name] = _number_text(value["NumberValue"])
    return dict(sorted(texts.items()))


def _artifacts(artifacts: Mapping[str, Any] | None) -> dict[str, str]:
    return dict(sorted((name, a["Value"]) for name, a in (artifacts or {}).items() if isinstance(a.get("Value"), str)))


def _number_text(number: float) -> str:
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return str(int(number))
    return repr(number)


def _finite(value: Any) -> float | None:
    """A double for the lake; None for missing or non-finite values (JSON has no NaN)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _time(value: Any) -> str | None:
    return iso_utc(value) if isinstance(value, datetime) else None


def _record_order(record: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        TRIAL_KINDS.index(record["trial_kind"]),
        record["trial_component_name"] or "",
        record.get("metric_name") or "",
        json.dumps(record, sort_keys=True, default=str),
    )
