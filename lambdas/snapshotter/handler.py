"""The metric snapshotter (snapshot.py): when a pipeline execution finishes, writes its metric and
component snapshots to the lake and its metrics to CloudWatch. Trigger: an EventBridge rule on
``aws.sagemaker`` "SageMaker Model Building Pipeline Execution Status Change" with
currentPipelineExecutionStatus Succeeded, Failed, Stopped or CompletedWithFailures
(``mlmeta_contract.events.TERMINAL_STATUSES``).
Lambda handler: ``snapshotter.handler.lambda_handler``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from aws_lambda_powertools import Logger

from mlmeta_runtime.dispatch import Dispatch
from mlmeta_runtime.events import EventModel
from mlmeta_runtime.handler import event_handler
from mlmeta_runtime.settings import HandlerSettings
from mlmeta_runtime.tracking_backend import TrackingBackend
from snapshotter.mlflow_runs import MlflowAnalysisTrials
from snapshotter import snapshot
from snapshotter.snapshot import TrialSource

HANDLER = "snapshotter"


@dataclass(frozen=True)
class SnapshotterSettings(HandlerSettings):
    lake_bucket: str  # the snapshots


logger = Logger()
SETTINGS = SnapshotterSettings.from_environ()
sagemaker = boto3.client("sagemaker")
s3 = boto3.client("s3")
sqs = boto3.client("sqs")
# MLMETA_TRACKING_BACKEND=mlflow: trial 1.2 is read from MLflow (snapshotter/mlflow_runs.py).
TRACKING = TrackingBackend.from_environ()
mlflow = TRACKING.mlflow_client()


def trial_source() -> TrialSource | None:
    return MlflowAnalysisTrials(sagemaker, mlflow) if mlflow is not None else None


# What snapshot.py's functions take, by parameter name; each event goes to the one marked for its model.
DISPATCH = Dispatch.of(snapshot, services=lambda: {"sagemaker": sagemaker, "s3": s3, "settings": SETTINGS, "trials_from": trial_source()})
ACCEPTED = DISPATCH.accepted


@event_handler(HANDLER, ACCEPTED, SETTINGS, logger, sqs=sqs, s3=s3, doing="snapshotting",
               log_keys=lambda event: {"event_id": event.id, "pipeline_execution_arn": event.detail.pipeline_execution_arn})
def lambda_handler(event: EventModel) -> dict[str, Any]:
    result = DISPATCH(event)
    logger.info(f"{result.status}: {result.reason}", extra={"keys": list(result.keys), "metrics": result.metrics})
    return result.to_dict()
