"""The reconciler's snapshot check as it was before one listing per day (the baseline of
bench/reconciler_calls.py): for every finished execution of the look-back window, one
DescribePipelineExecution for its end, then a HeadObject at its metric snapshot's key on the end's
date (and on the day before when the end is within minutes after midnight). Missing snapshots are
written by the same function as mlmeta's reconciler, so only the checking differs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from mlmeta_contract.events import TERMINAL_STATUSES
from mlmeta_contract.lake.layout import object_key, partition_value
from mlmeta_contract.lake.schema import METRIC_SNAPSHOTS
from mlmeta_runtime.errors import is_not_found
from mlmeta_runtime.pipelines import identify_execution
from mlmeta_runtime.settings import Settings
from reconciler.reconcile import AwsClients, ReconcileSummary, finished_from_description, list_executions
from snapshotter.snapshot import FinishedExecution

END_TIME_SLACK = timedelta(minutes=10)


def reconcile_pipeline_head_per_execution(
    clients: AwsClients,
    settings: Settings,
    pipeline_name: str,
    *,
    since: datetime,
    snapshot: Callable[[FinishedExecution], object],
    summary: ReconcileSummary,
) -> None:
    for execution_summary in list_executions(clients.sagemaker, pipeline_name, since):
        if execution_summary["PipelineExecutionStatus"] not in TERMINAL_STATUSES:
            continue
        summary.executions_finished += 1
        arn = execution_summary["PipelineExecutionArn"]
        described = clients.sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)
        pipeline = identify_execution(arn, convention=settings.convention, environment=settings.environment)
        execution = finished_from_description(described, pipeline)
        days = dict.fromkeys([partition_value(execution.end), partition_value(execution.end - END_TIME_SLACK)])
        if any(_exists(clients.s3, settings.lake_bucket, object_key(METRIC_SNAPSHOTS, day, pipeline.execution_id)) for day in days):
            summary.snapshots_present += 1
            continue
        snapshot(execution)
        summary.snapshots_written.append(arn)


def _exists(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except Exception as err:
        if is_not_found(err):
            return False
        raise
    return True
