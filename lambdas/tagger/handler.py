"""The trial tagger (tagging.py): tags trial 1.1 when a pipeline execution starts and each job's trial
component when its step changes status. Trigger: EventBridge rules on ``aws.sagemaker``
"SageMaker Model Building Pipeline Execution Status Change" (Executing) and "... Execution Step
Status Change". Lambda handler: ``tagger.handler.lambda_handler``."""

from __future__ import annotations

import time
from typing import Any

import boto3
from aws_lambda_powertools import Logger

from mlmeta_runtime.dispatch import Dispatch
from mlmeta_runtime.events import EventModel
from mlmeta_runtime.handler import event_handler
from mlmeta_runtime.settings import HandlerSettings
from tagger import tagging

HANDLER = "tagger"

logger = Logger()
SETTINGS = HandlerSettings.from_environ()  # the tagger needs nothing beyond the quarantine
sagemaker = boto3.client("sagemaker")
sqs = boto3.client("sqs")
s3 = boto3.client("s3")  # only for malformed events too large for the quarantine queue
# How the tagger waits while Pipelines has not created a resource yet (tests replace it).
sleep = time.sleep
# What tagging.py's functions take, by parameter name; each event goes to the one marked for its model.
DISPATCH = Dispatch.of(tagging, services=lambda: {
    "sagemaker": sagemaker, "convention": SETTINGS.convention, "environment": SETTINGS.environment, "sleep": sleep,
})
ACCEPTED = DISPATCH.accepted


@event_handler(HANDLER, ACCEPTED, SETTINGS, logger, sqs=sqs, s3=s3, doing="tagging",
               log_keys=lambda event: {"event_id": event.id, "detail_type": event.detail_type})
def lambda_handler(event: EventModel) -> dict[str, Any]:
    result = DISPATCH(event)
    logger.info(f"{result.status}: {result.reason}", extra={"resource_arn": result.resource_arn, "tags": dict(result.tags)})
    return result.to_dict()
