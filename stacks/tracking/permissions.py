"""Who may call the environment's MLflow server, and with which actions (docs/infrastructure.md, "MLflow").

- a serverless MLflow App has one action, ``sagemaker:CallMlflowAppApi``, on the App's ARN: every MLflow
  REST call is authorized by it;
- a tracking server has one ``sagemaker-mlflow:`` action per REST call, on the server's ARN: only those
  the client (``mlmeta_contract.mlflow.client``) makes, and to readers only the reading ones;
- a self-hosted server (an https:// URL) is not SageMaker's: IAM grants nothing, the server does its
  own authentication; with the sagemaker backend there is nothing to grant either.

The ARN is that of one resource, never a pattern, so no statement here has a wildcard.
"""

from __future__ import annotations

from aws_cdk import aws_iam as iam

from stacks.common.iam import Statement
from stacks.tracking.target import TrackingTarget

CALL_MLFLOW_APP = "sagemaker:CallMlflowAppApi"
# The REST calls of the client: the evaluate step and mlmeta.track record a run (find or create the
# experiment, create the run, log a batch of params/metrics/tags, set a tag, end it) and search for a
# run of the same name first, so a replayed step does not record twice.
RECORDING_ACTIONS = ("GetExperimentByName", "CreateExperiment", "SearchRuns", "CreateRun", "LogBatch", "SetTag", "UpdateRun")
# The snapshotter and the reconciler read an execution's runs: its experiment, then the runs.
READING_ACTIONS = ("GetExperimentByName", "SearchRuns")


def mlflow_statements(target: TrackingTarget, *, records: bool, sid_prefix: str = "Mlflow") -> list[Statement]:
    """What a role needs to record to (``records``) or read from ``target``'s MLflow server."""
    if target.arn is None:
        return []
    if target.kind == "mlflow-app":
        actions = [CALL_MLFLOW_APP]
        sid = f"{sid_prefix}CallApp"
    else:
        actions = [f"sagemaker-mlflow:{action}" for action in (RECORDING_ACTIONS if records else READING_ACTIONS)]
        sid = f"{sid_prefix}{'Record' if records else 'Read'}Runs"
    statement = iam.PolicyStatement(sid=sid, actions=actions, resources=[target.arn])
    return [Statement(statement=statement, resources=(target.arn,), wildcards=None)]
