"""The reconciler (reconcile.py): on a schedule, snapshots finished executions that have no snapshot
and sweeps names created since the last sweep through the naming guard. Trigger: an EventBridge rule
with a schedule ("Scheduled Event"). Lambda handler: ``reconciler.handler.lambda_handler``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from aws_lambda_powertools import Logger

from mlmeta_runtime.dispatch import Dispatch
from mlmeta_runtime.events import EventModel
from mlmeta_runtime.handler import event_handler
from mlmeta_runtime.settings import DEFAULT_LOOKBACK_HOURS, HandlerSettings
from mlmeta_runtime.tracking_backend import TrackingBackend
from reconciler import reconcile
from reconciler.reconcile import AwsClients
from snapshotter.snapshot import execution_steps

HANDLER = "reconciler"


@dataclass(frozen=True)
class ReconcilerSettings(HandlerSettings):
    lake_bucket: str  # the snapshots and the sweep marker
    notices_topic_arn: str  # the sweep's violations
    pipeline_names: tuple[str, ...]  # the pipelines whose executions it snapshots
    lookback_hours: int = DEFAULT_LOOKBACK_HOURS


logger = Logger()
SETTINGS = ReconcilerSettings.from_environ()
sagemaker = boto3.client("sagemaker")
s3 = boto3.client("s3")
# MLMETA_TRACKING_BACKEND=mlflow: the snapshots read trial 1.2 from MLflow (snapshotter/mlflow_runs.py).
TRACKING = TrackingBackend.from_environ()
CLIENTS = AwsClients(sagemaker=sagemaker, s3=s3, sns=boto3.client("sns"), mlflow=TRACKING.mlflow_client())
sqs = boto3.client("sqs")
# What reconcile.py's functions take, by parameter name; each event goes to the one marked for its model.
DISPATCH = Dispatch.of(reconcile, services=lambda: {"clients": CLIENTS, "settings": SETTINGS, "steps": execution_steps(sagemaker)})
ACCEPTED = DISPATCH.accepted


@event_handler(HANDLER, ACCEPTED, SETTINGS, logger, sqs=sqs, s3=s3, doing="reconciling",
               log_keys=lambda event: {"event_id": event.id})
def lambda_handler(event: EventModel) -> dict[str, Any]:
    summary = DISPATCH(event)
    logger.info("reconciled", extra={"summary": summary.to_dict()})
    return summary.to_dict()
