"""The naming guard (guard.py): judges the name of every experiment, trial and trial component
created in the account, tags the verdict, writes an audit record and notifies violations.
Trigger: an EventBridge rule on ``aws.sagemaker`` "AWS API Call via CloudTrail" with eventName
CreateExperiment, CreateTrial or CreateTrialComponent (needs a trail logging management events).
Lambda handler: ``naming_guard.handler.lambda_handler``."""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from mlmeta_runtime.errors import raising_aws_errors
from mlmeta_runtime.events import CloudTrailApiCallEvent, Malformed, parse_event
from mlmeta_runtime.quarantine import quarantine
from mlmeta_runtime.settings import LAKE_BUCKET, NOTICES_TOPIC_ARN, QUARANTINE_BUCKET, QUARANTINE_QUEUE_URL, load_settings
from naming_guard.guard import GuardResult, check_name, cloudtrail_check

HANDLER = "naming-guard"
ACCEPTED = (CloudTrailApiCallEvent,)

logger = Logger()
SETTINGS = load_settings(needs=(LAKE_BUCKET, QUARANTINE_QUEUE_URL, QUARANTINE_BUCKET, NOTICES_TOPIC_ARN))
sagemaker = boto3.client("sagemaker")
s3 = boto3.client("s3")
sns = boto3.client("sns")
sqs = boto3.client("sqs")


@logger.inject_lambda_context(log_event=False, clear_state=True)
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    parsed = parse_event(event, ACCEPTED)
    if isinstance(parsed, Malformed):
        return quarantine(sqs, SETTINGS.quarantine_queue_url, event, parsed, handler=HANDLER, s3=s3, bucket=SETTINGS.quarantine_bucket)
    logger.append_keys(event_id=parsed.id, cloudtrail_event_id=parsed.detail.event_id, action=parsed.detail.event_name)
    with raising_aws_errors(logger, "checking a name"):
        check = cloudtrail_check(sagemaker, parsed)
        if isinstance(check, str):
            result = GuardResult("skipped", check)
        else:
            result = check_name(
                sagemaker,
                s3,
                sns,
                check,
                convention=SETTINGS.convention,
                environment=SETTINGS.environment,
                bucket=SETTINGS.lake_bucket,
                topic_arn=SETTINGS.notices_topic_arn,
            )
    log = logger.warning if result.verdict == "violation" else logger.info
    log(f"{result.status}: {result.reason}", extra={"verdict": result.verdict, "rule": result.rule, "audit_key": result.audit_key})
    return result.to_dict()
