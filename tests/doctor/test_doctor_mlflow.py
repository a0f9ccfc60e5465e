"""The post-deploy MLflow check, through the Stubber with DescribeMlflowApp's and
DescribeMlflowTrackingServer's documented shapes (moto has no MLflow): a ready App passes, one still
creating or absent fails with what to do, a provisioned App's ARN is read from the tracking stack's
output, a self-hosted URL is skipped."""

from __future__ import annotations

from doctor_world import context, settings, stubbed

from mlmeta.config.settings import MlflowSettings
from mlmeta.doctor.deployed_stacks import Deployment
from mlmeta.doctor.mlflow_server import TRACKING_URI_OUTPUT, check_mlflow_server
from mlmeta.doctor.runner import post_deploy_checks

APP_ARN = "arn:aws:sagemaker:ap-northeast-1:123456789012:mlflow-app/app-4xmpl3ab12cd"
SERVER_ARN = "arn:aws:sagemaker:ap-northeast-1:123456789012:mlflow-tracking-server/team-mlflow"


def mlflow_env(mlflow: MlflowSettings):
    return settings(tracking_backend="mlflow", mlflow=mlflow)


def tracking_deployment(environment, arn: str | None = APP_ARN) -> Deployment:
    outputs = [{"OutputKey": TRACKING_URI_OUTPUT, "OutputValue": arn}] if arn else []
    return Deployment({environment.stack_name("tracking"): {"StackStatus": "CREATE_COMPLETE", "Outputs": outputs}})


def app_description(status: str) -> dict:
    return {"Arn": APP_ARN, "Name": "mlmeta-dev", "ArtifactStoreUri": "s3://bucket/artifacts", "Status": status,
            "ModelRegistrationMode": "AutoModelRegistrationDisabled"}  # fmt: skip


def test_a_provisioned_app_read_from_the_tracking_stack_and_created_passes():
    environment = mlflow_env(MlflowSettings(provision="app"))
    sagemaker, stub = stubbed("sagemaker")
    stub.add_response("describe_mlflow_app", app_description("Created"), {"Arn": APP_ARN})
    with stub:
        result = check_mlflow_server(context(environment, sagemaker=sagemaker), tracking_deployment(environment))
    stub.assert_no_pending_responses()
    assert (result.ok, result.detail) == (True, f"{APP_ARN} is Created")


def test_an_app_still_creating_or_failed_fails():
    environment = mlflow_env(MlflowSettings(existing=APP_ARN))
    for status in ("Creating", "CreateFailed"):
        sagemaker, stub = stubbed("sagemaker")
        stub.add_response("describe_mlflow_app", app_description(status), {"Arn": APP_ARN})
        with stub:
            result = check_mlflow_server(context(environment, sagemaker=sagemaker), Deployment({}))
        assert (result.ok, result.detail) == (False, f"{APP_ARN} is {status}: it takes no calls")


def test_an_app_that_does_not_exist_fails_naming_the_setting_to_correct():
    environment = mlflow_env(MlflowSettings(existing=APP_ARN))
    sagemaker, stub = stubbed("sagemaker")
    stub.add_client_error("describe_mlflow_app", "ResourceNotFound", f"MLflow app {APP_ARN} not found", 400)
    with stub:
        result = check_mlflow_server(context(environment, sagemaker=sagemaker), Deployment({}))
    assert (result.ok, result.detail) == (False, f"no MLflow server {APP_ARN} in ap-northeast-1")
    assert result.fix == "correct mlflow.existing of environment dev"


def test_a_tracking_stack_without_its_output_fails_with_the_deploy_command():
    environment = mlflow_env(MlflowSettings(provision="app"))
    result = check_mlflow_server(context(environment), tracking_deployment(environment, arn=None))
    assert (result.ok, result.fix) == (False, "make deploy ENV=dev")
    assert "mlmeta-dev-tracking has no MlflowTrackingUri output" in result.detail


def test_a_tracking_server_must_be_active():
    environment = mlflow_env(MlflowSettings(existing=SERVER_ARN))
    for active, ok in (("Active", True), ("Inactive", False)):
        sagemaker, stub = stubbed("sagemaker")
        stub.add_response(
            "describe_mlflow_tracking_server",
            {"TrackingServerArn": SERVER_ARN, "TrackingServerName": "team-mlflow", "TrackingServerStatus": "Created", "IsActive": active},
            {"TrackingServerName": "team-mlflow"},
        )
        with stub:
            result = check_mlflow_server(context(environment, sagemaker=sagemaker), Deployment({}))
        assert result.ok is ok, result.detail
        assert result.detail.startswith(f"{SERVER_ARN} is Created, {active}")


def test_a_self_hosted_server_is_skipped_and_sagemaker_environments_have_no_such_check():
    environment = mlflow_env(MlflowSettings(existing="https://mlflow.example.com"))
    result = check_mlflow_server(context(environment), Deployment({}))
    assert (result.ok, result.skipped) == (True, True)
    assert "mlflow server" in post_deploy_checks(environment)
    assert "mlflow server" not in post_deploy_checks(settings())
