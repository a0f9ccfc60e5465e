"""The trial tagger (tagging.py): tags trial 1.1 when a pipeline execution starts and each job's trial
component when its step changes status. Trigger: EventBridge rules on ``aws.sagemaker``
"SageMaker Model Building Pipeline Execution Status Change" (Executing) and "... Execution Step
Status Change". Lambda handler: ``tagger.handler.lambda_handler``."""

from __future__ import annotations

import time
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from mlmeta_runtime.errors import raising_aws_errors
from mlmeta_runtime.events import Malformed, PipelineExecutionStatusEvent, PipelineStepStatusEvent, parse_event
from mlmeta_runtime.quarantine import quarantine
from mlmeta_runtime.settings import QUARANTINE_BUCKET, QUARANTINE_QUEUE_URL, load_settings
from tagger.tagging import tag_environment_trial, tag_step_component

HANDLER = "tagger"
ACCEPTED = (PipelineExecutionStatusEvent, PipelineStepStatusEvent)

logger = Logger()
SETTINGS = load_settings(needs=(QUARANTINE_QUEUE_URL, QUARANTINE_BUCKET))
sagemaker = boto3.client("sagemaker")
sqs = boto3.client("sqs")
s3 = boto3.client("s3")  # only for malformed events too large for the quarantine queue
# How the tagger waits while Pipelines has not created a resource yet (tests replace it).
sleep = time.sleep


@logger.inject_lambda_context(log_event=False, clear_state=True)
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    parsed = parse_event(event, ACCEPTED)
    if isinstance(parsed, Malformed):
        return quarantine(sqs, SETTINGS.quarantine_queue_url, event, parsed, handler=HANDLER, s3=s3, bucket=SETTINGS.quarantine_bucket)
    logger.append_keys(event_id=parsed.id, detail_type=parsed.detail_type)
    with raising_aws_errors(logger, "tagging"):
        if isinstance(parsed, PipelineExecutionStatusEvent):
            result = tag_environment_trial(sagemaker, parsed, convention=SETTINGS.convention, environment=SETTINGS.environment, sleep=sleep)
        else:
            result = tag_step_component(sagemaker, parsed, convention=SETTINGS.convention, environment=SETTINGS.environment, sleep=sleep)
    logger.info(f"{result.status}: {result.reason}", extra={"resource_arn": result.resource_arn, "tags": dict(result.tags)})
    return result.to_dict()
