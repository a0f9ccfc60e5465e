"""The naming guard (guard.py): judges the name of every experiment, trial and trial component
created in the account, tags the verdict, writes an audit record and notifies violations.
Trigger: an EventBridge rule on ``aws.sagemaker`` "AWS API Call via CloudTrail" with eventName
CreateExperiment, CreateTrial or CreateTrialComponent (needs a trail logging management events).
Lambda handler: ``naming_guard.handler.lambda_handler``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from aws_lambda_powertools import Logger

from mlmeta_runtime.events import CloudTrailApiCallEvent
from mlmeta_runtime.handler import event_handler
from mlmeta_runtime.settings import HandlerSettings
from naming_guard.guard import GuardResult, check_name, cloudtrail_check

HANDLER = "naming-guard"
ACCEPTED = (CloudTrailApiCallEvent,)


@dataclass(frozen=True)
class NamingGuardSettings(HandlerSettings):
    lake_bucket: str  # the audit records
    notices_topic_arn: str  # the violations


logger = Logger()
SETTINGS = NamingGuardSettings.from_environ()
sagemaker = boto3.client("sagemaker")
s3 = boto3.client("s3")
sns = boto3.client("sns")
sqs = boto3.client("sqs")


@event_handler(HANDLER, ACCEPTED, SETTINGS, logger, sqs=sqs, s3=s3, doing="checking a name",
               log_keys=lambda event: {"event_id": event.id, "cloudtrail_event_id": event.detail.event_id, "action": event.detail.event_name})
def lambda_handler(event: CloudTrailApiCallEvent) -> dict[str, Any]:
    check = cloudtrail_check(sagemaker, event)
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
