"""The reconciler (reconcile.py): on a schedule, snapshots finished executions that have no snapshot
and sweeps names created since the last sweep through the naming guard. Trigger: an EventBridge rule
with a schedule ("Scheduled Event"). Lambda handler: ``reconciler.handler.lambda_handler``."""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from mlmeta_runtime.errors import raising_aws_errors
from mlmeta_runtime.events import Malformed, ScheduledEvent, parse_event
from mlmeta_runtime.quarantine import quarantine
from mlmeta_runtime.settings import LAKE_BUCKET, NOTICES_TOPIC_ARN, PIPELINE_NAMES, QUARANTINE_BUCKET, QUARANTINE_QUEUE_URL, load_settings
from reconciler.reconcile import AwsClients, reconcile
from snapshotter.snapshot import execution_steps

HANDLER = "reconciler"
ACCEPTED = (ScheduledEvent,)

logger = Logger()
SETTINGS = load_settings(needs=(LAKE_BUCKET, QUARANTINE_QUEUE_URL, QUARANTINE_BUCKET, NOTICES_TOPIC_ARN, PIPELINE_NAMES))
sagemaker = boto3.client("sagemaker")
s3 = boto3.client("s3")
CLIENTS = AwsClients(sagemaker=sagemaker, s3=s3, sns=boto3.client("sns"))
sqs = boto3.client("sqs")


@logger.inject_lambda_context(log_event=False, clear_state=True)
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    parsed = parse_event(event, ACCEPTED)
    if isinstance(parsed, Malformed):
        return quarantine(sqs, SETTINGS.quarantine_queue_url, event, parsed, handler=HANDLER, s3=s3, bucket=SETTINGS.quarantine_bucket)
    logger.append_keys(event_id=parsed.id)
    with raising_aws_errors(logger, "reconciling"):
        summary = reconcile(CLIENTS, SETTINGS, now=parsed.time, steps=execution_steps(sagemaker))
    logger.info("reconciled", extra={"summary": summary.to_dict()})
    return summary.to_dict()
