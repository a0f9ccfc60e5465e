"""Post-deploy, MLflow environments only: the environment's MLflow server exists and is ready for calls.

A provisioned server's ARN is the tracking stack's ``MlflowTrackingUri`` output (the App's ID is generated
at deploy); an existing one's is the settings'. An MLflow App: DescribeMlflowApp, ``Status`` Created or
Updated. A tracking server: DescribeMlflowTrackingServer, ``IsActive`` Active and a ready status. A
self-hosted server (an https URL) is not SageMaker's: skipped, the snapshotter reports it unreachable.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from mlmeta.doctor.aws import error_code
from mlmeta.doctor.context import DoctorContext
from mlmeta.doctor.deployed_stacks import Deployment, deploy_command
from mlmeta.doctor.result import CheckResult, failed, passed, skipped

CHECK = "mlflow server"
# The tracking stack's output (stacks/tracking_stack.py; tests/infrastructure/test_tracking_stack.py holds them equal).
TRACKING_URI_OUTPUT = "MlflowTrackingUri"
# The actions this check needs besides DOCTOR_ACTIONS (docs/deploying.md, "Permissions the doctor needs").
MLFLOW_DOCTOR_ACTIONS = ("sagemaker:DescribeMlflowApp", "sagemaker:DescribeMlflowTrackingServer")
APP_READY = frozenset({"Created", "Updated"})
SERVER_READY = frozenset({"Created", "Updated", "Started", "MaintenanceComplete"})


def check_mlflow_server(ctx: DoctorContext, deployment: Deployment) -> CheckResult:
    mlflow = ctx.settings.mlflow
    if mlflow is None:
        raise ValueError(f"environment {ctx.settings.name} has no MLflow settings")
    if mlflow.existing_kind == "url":
        return skipped(CHECK, f"{mlflow.existing} is self-hosted, not SageMaker's: nothing to describe")
    arn = mlflow.existing or _provisioned_arn(ctx, deployment)
    if arn is None:
        stack = ctx.settings.stack_name("tracking")
        return failed(CHECK, f"the tracking stack {stack} has no {TRACKING_URI_OUTPUT} output", deploy_command(ctx.settings))
    sagemaker = ctx.aws("sagemaker")
    try:
        if ":mlflow-app/" in arn:
            status, active = sagemaker.describe_mlflow_app(Arn=arn).get("Status"), None
            ready = status in APP_READY
        else:
            described = sagemaker.describe_mlflow_tracking_server(TrackingServerName=arn.rsplit("/", 1)[1])
            status, active = described.get("TrackingServerStatus"), described.get("IsActive")
            ready = status in SERVER_READY and active == "Active"
    except ClientError as err:
        if error_code(err) != "ResourceNotFound":
            raise
        fix = deploy_command(ctx.settings) if mlflow.provision else f"correct mlflow.existing of environment {ctx.settings.name}"
        return failed(CHECK, f"no MLflow server {arn} in {ctx.region}", fix)
    state = status if active is None else f"{status}, {active}"
    if not ready:
        return failed(CHECK, f"{arn} is {state}: it takes no calls",
                      "wait while Creating/Updating/Starting; otherwise see its status in the SageMaker console")
    return passed(CHECK, f"{arn} is {state}")


def _provisioned_arn(ctx: DoctorContext, deployment: Deployment) -> str | None:
    stack = deployment.stacks.get(ctx.settings.stack_name("tracking")) or {}
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    return outputs.get(TRACKING_URI_OUTPUT)
