"""The reconciler: what events missed, a schedule catches.

1. Snapshots: for each configured pipeline, the executions created in the look-back window
   (ListPipelineExecutions, CreatedAfter) that have finished. Which of them have a metric snapshot
   comes from one listing of each day's ``metric_snapshots`` partition in the window (snapshot_index.py),
   shared by every pipeline; only the executions missing there are described
   (DescribePipelineExecution) and snapshotted with the snapshotter's own function. So the calls grow
   with the days of the window and the missing snapshots, not with every finished execution (at 1,000
   executions a day, 48 h: a few ListObjectsV2 instead of 2,000 DescribePipelineExecution and 2,000+
   HeadObject; docs/benchmarks.md). Without the event there is no executionEndTime:
   DescribePipelineExecution's LastModifiedTime (the last change of a finished execution, i.e. its
   end) stands in.
   A snapshot whose metrics Search does not all show yet (snapshotter/completeness.py) is left for the
   next run while the execution's metrics may still be settling (``snapshots_waiting``); past that it is
   written as it is, with an incomplete-snapshot marker. Every run first snapshots the marked
   executions again (one listing of the markers' prefix): once Search shows every metric, the complete
   snapshot overwrites the incomplete one and the marker is removed; a marker older than the look-back
   window is given up (the incomplete snapshot stays, logged).
2. Naming sweep (sweep.py): experiments, trials and trial components created since the last sweep
   go through the naming guard's ``check_name`` with source ``sweep``.

"Now" is the scheduled event's time, not the wall clock, so a replayed run checks the same windows.
Every step is idempotent (deterministic keys, overwriting tags), so a retried run is harmless.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from mlmeta_contract.events import TERMINAL_STATUSES
from mlmeta_runtime.dispatch import handles
from mlmeta_runtime.errors import is_not_found
from mlmeta_runtime.events import ScheduledEvent
from mlmeta_runtime.lake_writer import iso_utc
from mlmeta_runtime.pipelines import NotOurs, IdentifiedExecution, identify_execution
from mlmeta_runtime.settings import Settings
from reconciler.snapshot_index import SnapshotIndex, partition_days
from reconciler.sweep import SweepSummary, sweep_names
from snapshotter.completeness import INCOMPLETE_MARKERS_PREFIX, MARKER_SUFFIX, IncompleteMarker, MetricsNotSearchableYet
from snapshotter.mlflow_runs import MlflowAnalysisTrials
from snapshotter.snapshot import FinishedExecution, SnapshotResult, StepLookup, snapshot_execution

logger = Logger(child=True)

# An execution that ends as the run starts: its end (and snapshot day) may be a moment after "now".
END_TIME_SLACK = timedelta(minutes=10)
PAGE_SIZE = 100


@dataclass(frozen=True)
class AwsClients:
    sagemaker: Any
    s3: Any
    sns: Any
    # The MLflow backend's client (MlflowClient), None on SageMaker: trial 1.2 is read from it.
    mlflow: Any = None


@dataclass
class ReconcileSummary:
    now: str
    executions_since: str
    executions_finished: int = 0
    snapshots_present: int = 0
    snapshots_written: list[str] = field(default_factory=list)
    snapshot_days_listed: list[str] = field(default_factory=list)
    # Metrics not all searchable yet: retried on the next run.
    snapshots_waiting: list[str] = field(default_factory=list)
    # Written without every metric, marked; completed on a later run.
    snapshots_incomplete: list[str] = field(default_factory=list)
    snapshots_completed: list[str] = field(default_factory=list)
    incomplete_given_up: list[str] = field(default_factory=list)
    executions_skipped: list[str] = field(default_factory=list)
    missing_pipelines: list[str] = field(default_factory=list)
    sweep: SweepSummary = field(default_factory=SweepSummary)

    def to_dict(self) -> dict[str, Any]:
        """One flat dict: the snapshot figures, then the sweep's."""
        figures = asdict(self)
        sweep = figures.pop("sweep")
        return {**figures, **sweep}


@handles(ScheduledEvent)
def reconcile_on_schedule(event: ScheduledEvent, *, clients: AwsClients, settings: Settings, steps: StepLookup) -> ReconcileSummary:
    return reconcile(clients, settings, now=event.time, steps=steps)


def reconcile(clients: AwsClients, settings: Settings, *, now: datetime, steps: StepLookup) -> ReconcileSummary:
    since = now - timedelta(hours=settings.lookback_hours)
    summary = ReconcileSummary(now=iso_utc(now), executions_since=iso_utc(since))
    complete_marked_snapshots(clients, settings, since=since, steps=steps, summary=summary)
    # An execution created in the window ends in it; one ending as the run starts may land a moment past now.
    snapshots = SnapshotIndex(clients.s3, settings.lake_bucket, partition_days(since, now + END_TIME_SLACK))
    for pipeline_name in settings.pipeline_names:
        reconcile_pipeline(clients, settings, pipeline_name, since=since, snapshots=snapshots, steps=steps, summary=summary)
    summary.snapshot_days_listed = list(snapshots.days) if snapshots.listed else []
    sweep_names(clients, settings, now=now, default_since=since, summary=summary.sweep)
    return summary


def reconcile_pipeline(
    clients: AwsClients,
    settings: Settings,
    pipeline_name: str,
    *,
    since: datetime,
    snapshots: SnapshotIndex,
    steps: StepLookup,
    summary: ReconcileSummary,
) -> None:
    try:
        finished = [s for s in list_executions(clients.sagemaker, pipeline_name, since) if s["PipelineExecutionStatus"] in TERMINAL_STATUSES]
    except Exception as err:
        if not is_not_found(err):
            raise
        logger.warning(f"configured pipeline {pipeline_name} does not exist", extra={"pipeline_name": pipeline_name})
        summary.missing_pipelines.append(pipeline_name)
        return
    for execution_summary in finished:
        summary.executions_finished += 1
        arn = execution_summary["PipelineExecutionArn"]
        try:
            pipeline = identify_execution(arn, convention=settings.convention, environment=settings.environment)
        except NotOurs as err:
            summary.executions_skipped.append(f"{arn}: {err}")
            continue
        if snapshots.has(pipeline.execution_id):
            summary.snapshots_present += 1
            continue
        execution = finished_from_description(clients.sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn), pipeline)
        try:
            result = _snapshot(clients, settings, execution, steps=steps)
        except MetricsNotSearchableYet as err:
            logger.info(f"snapshot is missing, and its metrics are not all searchable yet: next run. {err}")
            summary.snapshots_waiting.append(arn)
            continue
        logger.info(f"snapshot was missing, written: {result.reason}", extra={"keys": list(result.keys)})
        summary.snapshots_written.append(arn)
        if result.missing_metrics:
            summary.snapshots_incomplete.append(arn)


def complete_marked_snapshots(clients: AwsClients, settings: Settings, *, since: datetime, steps: StepLookup, summary: ReconcileSummary) -> None:
    """Snapshot each execution with an incomplete-snapshot marker again; remove the marker once complete."""
    for key in _marker_keys(clients.s3, settings.lake_bucket):
        body = clients.s3.get_object(Bucket=settings.lake_bucket, Key=key)["Body"].read()
        try:
            marker = IncompleteMarker.parse(body)
            pipeline = identify_execution(marker.execution_arn, convention=settings.convention, environment=settings.environment)
        except (ValueError, KeyError, TypeError, NotOurs) as err:
            logger.warning(f"unusable incomplete-snapshot marker s3://{settings.lake_bucket}/{key} ({err}): removed")
            clients.s3.delete_object(Bucket=settings.lake_bucket, Key=key)
            continue
        if marker.end < since:
            logger.warning(f"execution {marker.execution_arn} ended before the look-back window with an incomplete snapshot: "
                           "giving up, the snapshot stays as it is")
            clients.s3.delete_object(Bucket=settings.lake_bucket, Key=key)
            summary.incomplete_given_up.append(marker.execution_arn)
            continue
        execution = FinishedExecution(pipeline=pipeline, status=marker.status, start=marker.start, end=marker.end)
        result = _snapshot(clients, settings, execution, steps=steps)
        if result.missing_metrics:
            summary.snapshots_incomplete.append(marker.execution_arn)
            continue
        clients.s3.delete_object(Bucket=settings.lake_bucket, Key=key)
        logger.info(f"incomplete snapshot completed: {result.reason}", extra={"keys": list(result.keys)})
        summary.snapshots_completed.append(marker.execution_arn)


def _snapshot(clients: AwsClients, settings: Settings, execution: FinishedExecution, *, steps: StepLookup) -> SnapshotResult:
    # The wall clock decides, as in the snapshotter: whether metrics may still be settling, and what
    # CloudWatch still accepts.
    return snapshot_execution(
        clients.sagemaker,
        clients.s3,
        execution,
        bucket=settings.lake_bucket,
        convention=settings.convention,
        steps=steps,
        metrics_namespace=settings.metrics_namespace,
        trials_from=MlflowAnalysisTrials(clients.sagemaker, clients.mlflow) if clients.mlflow is not None else None,
    )


def _marker_keys(s3: Any, bucket: str) -> Iterator[str]:
    kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": INCOMPLETE_MARKERS_PREFIX}
    while True:
        page = s3.list_objects_v2(**kwargs)
        yield from (o["Key"] for o in page.get("Contents", []) if o["Key"].endswith(MARKER_SUFFIX))
        if not page.get("IsTruncated"):
            return
        kwargs["ContinuationToken"] = page["NextContinuationToken"]


def list_executions(sagemaker: Any, pipeline_name: str, since: datetime) -> Iterator[Mapping[str, Any]]:
    """Executions created since ``since``, newest first (paged)."""
    kwargs: dict[str, Any] = {
        "PipelineName": pipeline_name,
        "CreatedAfter": since,
        "SortBy": "CreationTime",
        "SortOrder": "Descending",
        "MaxResults": PAGE_SIZE,
    }
    while True:
        page = sagemaker.list_pipeline_executions(**kwargs)
        # Filtered here too: the window is the contract, whatever the API returned.
        yield from (s for s in page.get("PipelineExecutionSummaries", []) if _at_or_after(s.get("StartTime"), since))
        if not page.get("NextToken"):
            return
        kwargs["NextToken"] = page["NextToken"]


def finished_from_description(described: Mapping[str, Any], pipeline: IdentifiedExecution) -> FinishedExecution:
    return FinishedExecution(
        pipeline=pipeline,
        status=described["PipelineExecutionStatus"],
        start=described.get("CreationTime"),
        end=described["LastModifiedTime"],
    )


def _at_or_after(moment: Any, limit: datetime) -> bool:
    return isinstance(moment, datetime) and moment >= limit
