"""The MLflow backend at synth (docs/infrastructure.md, "MLflow"): the tracking stack's server, artifact
store and service role; the callers' IAM and variables, in each mode. stg provisions a serverless
MLflow App (the embedded environments); the tracking server, an existing ARN and an https URL are
built here as variants of stg."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template
from cfn_values import as_list, statements
from cfnlint.api import lint
from iam_definitions import Templates, check
from pipeline_template import definition_source, pipeline_stack

from mlmeta.config import get_environment
from mlmeta.config.settings import MlflowSettings
from mlmeta.doctor.mlflow_server import TRACKING_URI_OUTPUT as DOCTOR_READS
from mlmeta.events.handlers import MLFLOW_TRACKING_URI, RECONCILER, SNAPSHOTTER, TRACKING_BACKEND
from stacks.events_stack import EventsStack, construct_id_of
from stacks.experiments_stack import ExperimentsStack
from stacks.feature_flags import FEATURE_FLAGS
from stacks.mlmeta_app import _stack_props, create_app
from stacks.tracking.permissions import CALL_MLFLOW_APP, READING_ACTIONS, RECORDING_ACTIONS, mlflow_statements
from stacks.tracking.target import SAGEMAKER, TrackingTarget, tracking_target
from stacks.tracking_stack import TRACKING_URI_OUTPUT, TrackingStack

# A changed construct id changes a logical ID, and CloudFormation then REPLACES the resource: a new, empty
# artifact store, a new MLflow App without the runs. If this fails, that is what the change would do.
PINNED_STATEFUL_RESOURCES = {
    "MlflowStorageKey2E673243": "AWS::KMS::Key",
    "MlflowStorageAccessLogs7464401D": "AWS::S3::Bucket",
    "MlflowStorageBucket494E5549": "AWS::S3::Bucket",
    "MlflowApp434C8BD0": "AWS::SageMaker::MlflowApp",
}
APP_ID = "MlflowApp434C8BD0"
# The output the other stacks read the App's ARN from (a weak reference): renaming it breaks them at deploy.
ARN_OUTPUT = "PublishOutputFnGetAttMlflowApp434C8BD0Arn0C950034"
APP_ARN = "arn:aws:sagemaker:ap-northeast-1:123456789012:mlflow-app/app-4xmpl3ab12cd"
SERVER_ARN = "arn:aws:sagemaker:ap-northeast-1:123456789012:mlflow-tracking-server/team-mlflow"


@pytest.fixture(scope="module")
def stg(synthesized):
    return synthesized("stg")


def arn_reference(env_app) -> dict:
    return {"Fn::GetStackOutput": {"StackName": "mlmeta-stg-tracking", "Region": env_app.settings.region, "OutputName": ARN_OUTPUT}}


# The provisioned serverless MLflow App (stg).

def test_stateful_logical_ids_are_pinned_and_follow_retain_data(stg):
    assert stg.stacks.tracking is not None
    resources = stg.template_json(stg.stacks.tracking)["Resources"]
    stateful = {i: r["Type"] for i, r in resources.items() if r["Type"] in set(PINNED_STATEFUL_RESOURCES.values())}
    assert stateful == PINNED_STATEFUL_RESOURCES
    assert stg.settings.retain_data is True
    assert {(r["DeletionPolicy"], r["UpdateReplacePolicy"]) for i, r in resources.items() if i in stateful} == {("Retain", "Retain")}
    assert stg.artifact(stg.stacks.tracking).termination_protection is True
    assert ARN_OUTPUT in stg.template_json(stg.stacks.tracking)["Outputs"]


def test_the_app_stores_artifacts_in_its_own_bucket_through_its_own_role(stg):
    template = stg.template(stg.stacks.tracking)
    template.resource_count_is("AWS::SageMaker::MlflowApp", 1)
    template.resource_count_is("AWS::SageMaker::MlflowTrackingServer", 0)
    template.has_resource_properties("AWS::SageMaker::MlflowApp", {
        "Name": "mlmeta-stg",
        "ArtifactStoreUri": {"Fn::Join": ["", ["s3://", {"Ref": "MlflowStorageBucket494E5549"}, "/artifacts"]]},
        "RoleArn": {"Fn::GetAtt": [Match.string_like_regexp("^MlflowServiceRole"), "Arn"]},
        "ModelRegistrationMode": "AutoModelRegistrationDisabled",
        "WeeklyMaintenanceWindowStart": "Tue:18:30",
        "Tags": Match.array_with([{"Key": "mlmeta:environment", "Value": "stg"}, {"Key": "mlmeta:kind", "Value": "mlflow-app"}]),
    })  # fmt: skip
    # SageMaker checks the role's access to the artifact store when it creates the App.
    app = stg.template_json(stg.stacks.tracking)["Resources"][APP_ID]
    assert [d for d in app["DependsOn"] if d.startswith("MlflowServicePolicy")]
    template.has_output(TRACKING_URI_OUTPUT, {"Value": {"Fn::GetAtt": [APP_ID, "Arn"]}})
    assert DOCTOR_READS == TRACKING_URI_OUTPUT  # mlmeta doctor reads the ARN from this output


def test_the_artifact_store_is_a_secure_bucket(stg):
    template = stg.template(stg.stacks.tracking)
    template.has_resource("AWS::S3::Bucket", {
        "Properties": Match.object_like({
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [Match.object_like({
                "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                  "KMSMasterKeyID": {"Fn::GetAtt": ["MlflowStorageKey2E673243", "Arn"]}}})]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "VersioningConfiguration": {"Status": "Enabled"},
            "LoggingConfiguration": Match.object_like({"DestinationBucketName": {"Ref": "MlflowStorageAccessLogs7464401D"}}),
        }),
        "DeletionPolicy": "Retain",
    })  # fmt: skip
    template.has_resource_properties("AWS::S3::BucketPolicy", {
        "Bucket": {"Ref": "MlflowStorageBucket494E5549"},
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
            "Effect": "Deny", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])},
    })  # fmt: skip
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_the_service_role_is_sagemakers_in_this_account_and_reaches_the_artifact_store_only(stg):
    resources = stg.template_json(stg.stacks.tracking)["Resources"]
    (role,) = [r for r in resources.values() if r["Type"] == "AWS::IAM::Role"]
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    assert "ManagedPolicyArns" not in role["Properties"]
    granted = {s["Sid"]: (sorted(as_list(s["Action"])), s["Resource"]) for s in statements(resources)}
    bucket = {"Fn::GetAtt": ["MlflowStorageBucket494E5549", "Arn"]}
    assert granted == {
        "ArtifactsReadWrite": (["s3:GetObject", "s3:PutObject"], {"Fn::Join": ["", [bucket, "/artifacts/*"]]}),
        "ArtifactsList": (["s3:ListBucket"], bucket),
        "ArtifactsBucketLocation": (["s3:GetBucketLocation"], bucket),
        "ArtifactsKey": (["kms:Decrypt", "kms:GenerateDataKey"], {"Fn::GetAtt": ["MlflowStorageKey2E673243", "Arn"]}),
    }


def test_handlers_read_runs_from_the_app_by_its_deploy_time_arn(stg):
    events = stg.template_json(stg.stacks.events)["Resources"]
    for spec in (SNAPSHOTTER, RECONCILER):
        function = stg.stacks.events.functions[spec.name]
        variables = events[stg.stacks.events.get_logical_id(function.function.node.default_child)]["Properties"]["Environment"]["Variables"]
        assert variables[TRACKING_BACKEND] == "mlflow"
        assert variables[MLFLOW_TRACKING_URI] == arn_reference(stg)
        policy = events[stg.stacks.events.get_logical_id(function.policy.node.default_child)]
        mlflow = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if "sagemaker:CallMlflowAppApi" in as_list(s["Action"])]
        assert mlflow == [{"Sid": "MlflowCallApp", "Effect": "Allow", "Action": CALL_MLFLOW_APP, "Resource": arn_reference(stg)}]
    # The other handlers neither know nor reach the server.
    for name in ("tagger", "naming-guard"):
        function = stg.stacks.events.functions[name]
        variables = events[stg.stacks.events.get_logical_id(function.function.node.default_child)]["Properties"]["Environment"]["Variables"]
        assert MLFLOW_TRACKING_URI not in variables and TRACKING_BACKEND not in variables


def test_the_evaluate_step_records_to_the_app_and_its_role_may(stg):
    text, variables = definition_source(stg)
    steps = {step["Name"]: step for step in json.loads(text)["Steps"]}
    evaluate = steps["evaluation"]
    environment = evaluate["Arguments"]["Environment"]
    assert environment[TRACKING_BACKEND] == "mlflow"
    assert environment[MLFLOW_TRACKING_URI] == "${MlflowTrackingUri}"
    assert variables["MlflowTrackingUri"] == arn_reference(stg)
    policies = stg.resources(pipeline_stack(stg), "AWS::IAM::Policy")
    mlflow = [s for s in statements(policies) if s.get("Sid") == "MlflowCallApp"]
    assert mlflow == [{"Sid": "MlflowCallApp", "Effect": "Allow", "Action": CALL_MLFLOW_APP, "Resource": arn_reference(stg)}]


def test_data_scientists_guardrail_lets_mlmeta_track_record_to_the_app(stg):
    (policy,) = stg.resources(stg.stacks.experiments, "AWS::IAM::ManagedPolicy").values()
    mlflow = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s.get("Sid") == "MlflowCallApp"]
    assert mlflow == [{"Sid": "MlflowCallApp", "Effect": "Allow", "Action": CALL_MLFLOW_APP, "Resource": arn_reference(stg)}]


@pytest.mark.parametrize("env_name", ["dev", "prod"])
def test_sagemaker_environments_have_no_tracking_stack_and_no_mlflow_grant(synthesized, env_name):
    env_app = synthesized(env_name)
    assert env_app.stacks.tracking is None
    assert not [s for s in env_app.stacks.all() if s.stack_name.endswith("-tracking")]
    for stack in env_app.stacks.all():
        text = json.dumps(env_app.template_json(stack))
        assert "Mlflow" not in text and "sagemaker-mlflow:" not in text and MLFLOW_TRACKING_URI not in text, stack.stack_name
    variables = env_app.template_json(env_app.stacks.events)["Resources"][
        env_app.stacks.events.get_logical_id(env_app.stacks.events.functions["snapshotter"].function.node.default_child)
    ]["Properties"]["Environment"]["Variables"]
    assert variables[TRACKING_BACKEND] == "sagemaker"


# The other modes, as variants of stg.

def variant(mlflow: MlflowSettings):
    return replace(get_environment("stg"), mlflow=mlflow)


def test_a_tracking_server_is_sized_registers_no_models_and_passes_cdk_nag_and_cfn_lint(tmp_path):
    settings = variant(MlflowSettings(provision="tracking-server", tracking_server_size="Medium"))
    app = create_app(outdir=str(tmp_path))  # cdk-nag: an unacknowledged finding fails app.synth()
    stack = TrackingStack(app, settings.stack_name("tracking"), settings=settings, **_stack_props(settings, "tracking"))
    template_json = app.synth().get_stack_by_name(stack.stack_name).template
    template = Template.from_json(template_json)
    template.resource_count_is("AWS::SageMaker::MlflowApp", 0)
    template.has_resource("AWS::SageMaker::MlflowTrackingServer", {
        "Properties": Match.object_like({"TrackingServerName": "mlmeta-stg", "TrackingServerSize": "Medium",
                                         "AutomaticModelRegistration": False,
                                         "RoleArn": {"Fn::GetAtt": [Match.string_like_regexp("^MlflowServiceRole"), "Arn"]}}),
        "DeletionPolicy": "Retain",
    })  # fmt: skip
    (server_id,) = template.find_resources("AWS::SageMaker::MlflowTrackingServer")
    assert server_id == "MlflowTrackingServer97E86BDA"
    template.has_output(TRACKING_URI_OUTPUT, {"Value": {"Fn::GetAtt": [server_id, "TrackingServerArn"]}})
    assert stack.server.kind == "mlflow-tracking-server"
    matches = lint(json.dumps(template_json), regions=[settings.region])
    assert [f"{m.rule.id} {m.message}" for m in matches] == []


def test_cfn_lint_knows_both_mlflow_resource_types_and_their_required_properties():
    # If cfn-lint's schemas lacked a type, it would report E3006 instead of the missing properties.
    template = {"Resources": {"A": {"Type": "AWS::SageMaker::MlflowApp", "Properties": {"Name": "x"}},
                              "T": {"Type": "AWS::SageMaker::MlflowTrackingServer", "Properties": {"TrackingServerName": "x"}}}}
    messages = sorted(m.message for m in lint(json.dumps(template), regions=["ap-northeast-1"]))
    assert any("'ArtifactStoreUri' is a required property" in m for m in messages)
    assert any("'RoleArn' is a required property" in m for m in messages)
    assert not [m for m in messages if "E3006" in m or "Resource type" in m]


def test_the_tracking_server_role_gets_only_the_calls_the_client_makes():
    target = TrackingTarget("mlflow", SERVER_ARN, "mlflow-tracking-server")
    (record,) = mlflow_statements(target, records=True)
    (read,) = mlflow_statements(target, records=False)
    assert sorted(record.statement.to_statement_json()["Action"]) == sorted(f"sagemaker-mlflow:{a}" for a in RECORDING_ACTIONS)
    assert sorted(read.statement.to_statement_json()["Action"]) == ["sagemaker-mlflow:GetExperimentByName", "sagemaker-mlflow:SearchRuns"]
    assert set(READING_ACTIONS) < set(RECORDING_ACTIONS)
    assert record.statement.to_statement_json()["Resource"] == read.statement.to_statement_json()["Resource"] == SERVER_ARN
    # No embedded environment has a tracking server, so its actions are checked against IAM's definitions here.
    app_target = TrackingTarget("mlflow", APP_ARN, "mlflow-app")
    documents = [s.statement.to_statement_json() for s in (record, read, *mlflow_statements(app_target, records=True))]
    policy = {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": {"Statement": documents}}}
    report = check(Templates({"s": {"Resources": {"P": policy}}}, "ap-northeast-1"))
    assert [str(f) for f in report.findings] == []
    assert len(report.actions_checked) == len(RECORDING_ACTIONS) + 1


@pytest.mark.parametrize(
    ("existing", "expected_actions"),
    [(APP_ARN, [CALL_MLFLOW_APP]), (SERVER_ARN, [f"sagemaker-mlflow:{a}" for a in RECORDING_ACTIONS]), ("https://mlflow.example.com", [])],
    ids=["app-arn", "tracking-server-arn", "https-url"],
)
def test_an_existing_server_is_granted_by_its_arn_and_a_url_gets_no_grant(tmp_path, existing, expected_actions):
    settings = variant(MlflowSettings(existing=existing))
    target = tracking_target(settings)
    assert (target.backend, target.uri) == ("mlflow", existing)
    app = App(outdir=str(tmp_path))
    stack = ExperimentsStack(app, "Variant", settings=settings, tracking=target, env=Environment(region=settings.region))
    resources = app.synth().get_stack_by_name(stack.stack_name).template["Resources"]
    (policy,) = [r for r in resources.values() if r["Type"] == "AWS::IAM::ManagedPolicy"]
    mlflow = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Sid"].startswith("Mlflow")]
    assert sorted(a for s in mlflow for a in as_list(s["Action"])) == sorted(expected_actions)
    assert all(s["Resource"] == existing for s in mlflow)


def test_events_stack_passes_an_existing_url_and_grants_nothing_for_it(tmp_path):
    settings = variant(MlflowSettings(existing="https://mlflow.example.com"))
    app = App(outdir=str(tmp_path), post_cli_context=FEATURE_FLAGS)
    lake = Stack(app, "Lake", env=Environment(region=settings.region))
    events = EventsStack(app, "Events", settings=settings, lake_bucket=s3.Bucket(lake, "B"), lake_key=kms.Key(lake, "K"),
                         tracking=tracking_target(settings), env=Environment(region=settings.region))
    resources = app.synth().get_stack_by_name(events.stack_name).template["Resources"]
    snapshotter = resources[events.get_logical_id(events.functions["snapshotter"].function.node.default_child)]
    assert snapshotter["Properties"]["Environment"]["Variables"][MLFLOW_TRACKING_URI] == "https://mlflow.example.com"
    assert snapshotter["Properties"]["Environment"]["Variables"][TRACKING_BACKEND] == "mlflow"
    text = json.dumps([r for r in resources.values() if r["Type"] == "AWS::IAM::Policy"])
    assert "Mlflow" not in text and "sagemaker-mlflow" not in text
    assert construct_id_of(SNAPSHOTTER) == "Snapshotter"


def test_a_target_is_mlflow_with_a_uri_or_sagemaker_without_one():
    assert SAGEMAKER.environment() == {TRACKING_BACKEND: "sagemaker"}
    assert mlflow_statements(SAGEMAKER, records=True) == []
    with pytest.raises(ValueError, match="mlflow needs both"):
        TrackingTarget("mlflow")
    with pytest.raises(ValueError, match="provisions an MLflow server"):
        tracking_target(variant(MlflowSettings(provision="app")))
