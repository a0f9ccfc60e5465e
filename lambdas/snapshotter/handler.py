"""The metric snapshotter (snapshot.py): when a pipeline execution finishes, writes its metric and
component snapshots to the lake and its metrics to CloudWatch. Trigger: an EventBridge rule on
``aws.sagemaker`` "SageMaker Model Building Pipeline Execution Status Change" with
currentPipelineExecutionStatus Succeeded, Failed, Stopped or CompletedWithFailures
(``mlmeta_runtime.events.TERMINAL_STATUSES``).
Lambda handler: ``snapshotter.handler.lambda_handler``."""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from mlmeta_runtime.errors import raising_aws_errors
from mlmeta_runtime.events import TERMINAL_STATUSES, Malformed, PipelineExecutionStatusEvent, parse_event
from mlmeta_runtime.pipelines import NotOurs
from mlmeta_runtime.quarantine import quarantine
from mlmeta_runtime.settings import LAKE_BUCKET, QUARANTINE_BUCKET, QUARANTINE_QUEUE_URL, load_settings
from snapshotter.snapshot import SnapshotResult, execution_steps, finished_from_event, snapshot_execution

HANDLER = "snapshotter"
ACCEPTED = (PipelineExecutionStatusEvent,)

logger = Logger()
SETTINGS = load_settings(needs=(LAKE_BUCKET, QUARANTINE_QUEUE_URL, QUARANTINE_BUCKET))
sagemaker = boto3.client("sagemaker")
s3 = boto3.client("s3")
sqs = boto3.client("sqs")


@logger.inject_lambda_context(log_event=False, clear_state=True)
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    parsed = parse_event(event, ACCEPTED)
    if isinstance(parsed, Malformed):
        return quarantine(sqs, SETTINGS.quarantine_queue_url, event, parsed, handler=HANDLER, s3=s3, bucket=SETTINGS.quarantine_bucket)
    logger.append_keys(event_id=parsed.id, pipeline_execution_arn=parsed.detail.pipeline_execution_arn)
    result = snapshot(parsed)
    logger.info(f"{result.status}: {result.reason}", extra={"keys": list(result.keys), "metrics": result.metrics})
    return result.to_dict()


def snapshot(event: PipelineExecutionStatusEvent) -> SnapshotResult:
    status = event.detail.current_status
    if status not in TERMINAL_STATUSES:
        return SnapshotResult("skipped", f"execution status {status}: snapshots are taken when it ends ({', '.join(TERMINAL_STATUSES)})")
    try:
        execution = finished_from_event(event, convention=SETTINGS.convention, environment=SETTINGS.environment)
    except NotOurs as err:
        return SnapshotResult("skipped", str(err))
    with raising_aws_errors(logger, "snapshotting"):
        return snapshot_execution(
            sagemaker,
            s3,
            execution,
            bucket=SETTINGS.lake_bucket,
            convention=SETTINGS.convention,
            steps=execution_steps(sagemaker),
            metrics_namespace=SETTINGS.metrics_namespace,
        )
