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

from mlmeta_runtime.dispatch import Dispatch
from mlmeta_runtime.events import EventModel
from mlmeta_runtime.handler import event_handler
from mlmeta_runtime.settings import HandlerSettings
from naming_guard import guard

HANDLER = "naming-guard"


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
# What guard.py's functions take, by parameter name; each event goes to the one marked for its model.
DISPATCH = Dispatch.of(guard, services=lambda: {"sagemaker": sagemaker, "s3": s3, "sns": sns, "settings": SETTINGS})
ACCEPTED = DISPATCH.accepted


@event_handler(HANDLER, ACCEPTED, SETTINGS, logger, sqs=sqs, s3=s3, doing="checking a name",
               log_keys=lambda event: {"event_id": event.id, "cloudtrail_event_id": event.detail.event_id, "action": event.detail.event_name})
def lambda_handler(event: EventModel) -> dict[str, Any]:
    result = DISPATCH(event)
    log = logger.warning if result.verdict == "violation" else logger.info
    log(f"{result.status}: {result.reason}", extra={"verdict": result.verdict, "rule": result.rule, "audit_key": result.audit_key})
    return result.to_dict()
