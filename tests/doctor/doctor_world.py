"""An environment's AWS account in moto, built up the way a real one is: bootstrapped, with a trail, roles,
and (for post-deploy checks) the environment's stacks, its workgroup and named queries, the events
stack's rules, queues, functions and the doctor's probe."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import boto3

from mlmeta.config import EnvironmentSettings, get_environment
from mlmeta.config import lambda_runtime
from mlmeta.doctor.aws import AwsClients
from mlmeta.doctor.bootstrap import BOOTSTRAP_VERSION_PARAMETER
from mlmeta.doctor.context import DoctorContext
from mlmeta.doctor.deployed_stacks import expected_stack_names
from mlmeta.doctor.layers import LAYERS
from mlmeta.doctor.probe_event import QUEUE_URL_OUTPUT, probe_pattern
from mlmeta.doctor.trail import created_trail_name
from doctor_shapes import ACCOUNT, REGION, layer_version, public_parameter, stubbable_client

QUERIES = ("metric_history", "runs")
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


_CLIENTS: dict[tuple[str, str], Any] = {}


def moto_client(service: str, region: str = REGION) -> Any:
    """A client moto serves, made once per test session: a client costs ~80 ms, and moto serves it in every
    mock_aws context (moto hooks into botocore when imported, before any of these is made)."""
    if (service, region) not in _CLIENTS:
        _CLIENTS[service, region] = boto3.client(service, region_name=region)
    return _CLIENTS[service, region]


class _SharedClientsSession:
    """What AwsClients needs of a boto3 Session, handing out the shared clients."""

    region_name = REGION

    def client(self, service: str, region_name: str | None = None) -> Any:
        return moto_client(service, region_name or REGION)


def settings(**changes: Any) -> EnvironmentSettings:
    return replace(get_environment("dev"), **changes)


def clients(**overrides: Any) -> AwsClients:
    return AwsClients(_SharedClientsSession(), overrides=overrides)


def context(environment: EnvironmentSettings | None = None, **overrides: Any) -> DoctorContext:
    return DoctorContext(environment or settings(), clients(**overrides), ACCOUNT)


def bootstrap(version: str = "6") -> None:
    template = {"Resources": {"Placeholder": {"Type": "AWS::SNS::Topic"}}}
    moto_client("cloudformation", REGION).create_stack(StackName="CDKToolkit", TemplateBody=json.dumps(template))
    moto_client("ssm", REGION).put_parameter(Name=BOOTSTRAP_VERSION_PARAMETER, Value=version, Type="String")


def layer_arn(layer, *, account: str | None = None, region: str = REGION) -> str:
    name = "AWSLambdaPowertoolsPythonV3-python313-arm64" if layer.label == "Powertools" else "AWSSDKPandas-Python313-Arm64"
    return f"arn:aws:lambda:{region}:{account or layer.publisher_account}:layer:{name}:7"


def stub_public_parameters(ssm_stub, *, bootstrap_version: str | None = "6") -> None:
    """Queue the SSM answers of a whole pre-deploy run, in the order the checks ask."""
    if bootstrap_version is not None:
        ssm_stub.add_response("get_parameter", public_parameter(BOOTSTRAP_VERSION_PARAMETER, bootstrap_version), {"Name": BOOTSTRAP_VERSION_PARAMETER})
    for layer in LAYERS:
        ssm_stub.add_response("get_parameter", public_parameter(layer.parameter, layer_arn(layer)), {"Name": layer.parameter})


def stub_layer_versions(lambda_stub) -> None:
    for layer in LAYERS:
        arn = layer_arn(layer)
        lambda_stub.add_response(
            "get_layer_version_by_arn",
            layer_version(arn, [lambda_runtime.runtime_name()], [lambda_runtime.ARCHITECTURE]),
            {"Arn": arn},
        )


def logging_trail(name: str, *, read_write: str = "WriteOnly", region: str = REGION, multi_region: bool = False) -> str:
    """A trail that logs (management events of ``read_write``); its ARN."""
    s3 = moto_client("s3", region)
    bucket = f"trail-logs-{name}".lower()
    # us-east-1 takes no location constraint.
    s3.create_bucket(Bucket=bucket, **({} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}))
    cloudtrail = moto_client("cloudtrail", region)
    arn = cloudtrail.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi_region)["TrailARN"]
    cloudtrail.put_event_selectors(TrailName=name, EventSelectors=[{"ReadWriteType": read_write, "IncludeManagementEvents": True}])
    cloudtrail.start_logging(Name=name)
    return arn


def create_stack(name: str, resources: dict[str, Any], outputs: dict[str, Any] | None = None) -> None:
    template = {"Resources": resources, **({"Outputs": outputs} if outputs else {})}
    moto_client("cloudformation", REGION).create_stack(
        StackName=name, TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"]
    )


def events_stack_resources(environment: str) -> dict[str, Any]:
    """What the doctor reads of the events stack: a failure queue, a handler with its role, a route rule,
    the probe rule and queue (the probe rule's pattern is the one the stack deploys)."""
    return {
        "DeliveryFailuresQueue": {"Type": "AWS::SQS::Queue"},
        "HandlerRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": LAMBDA_TRUST}},
        "TaggerHandlerFunction": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": lambda_runtime.runtime_name(), "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["HandlerRole", "Arn"]}, "Code": {"ZipFile": "def handler(event, context):\n    return None\n"},
            },
        },  # fmt: skip
        "RulesExecutionStarted": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "EventPattern": {"source": ["aws.sagemaker"]}, "State": "ENABLED",
                "Targets": [{"Id": "Target0", "Arn": {"Fn::GetAtt": ["TaggerHandlerFunction", "Arn"]}}],
            },
        },  # fmt: skip
        "DoctorProbeQueue": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 3600}},
        "DoctorProbeRule": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "EventPattern": probe_pattern(environment), "State": "ENABLED",
                "Targets": [{"Id": "Target0", "Arn": {"Fn::GetAtt": ["DoctorProbeQueue", "Arn"]}}],
            },
        },
    }


def deploy(environment: EnvironmentSettings, *, queries: tuple[str, ...] = QUERIES, probe_output: bool = True) -> None:
    """Every stack of the environment, complete; the workgroup with its named queries; the created trail."""
    placeholder = {"Placeholder": {"Type": "AWS::SNS::Topic"}}
    events_stack = environment.stack_name("events")
    for name in expected_stack_names(environment):
        if name == events_stack:
            outputs = {QUEUE_URL_OUTPUT: {"Value": {"Ref": "DoctorProbeQueue"}}} if probe_output else None
            create_stack(name, events_stack_resources(environment.name), outputs)
        else:
            create_stack(name, placeholder)
    athena = moto_client("athena", REGION)
    athena.create_work_group(Name=environment.athena_workgroup_name)
    for query in queries:
        athena.create_named_query(
            Name=query, Database=environment.glue_database_name, QueryString="SELECT 1", WorkGroup=environment.athena_workgroup_name
        )
    if environment.create_trail:
        logging_trail(created_trail_name(environment))


def stubbed(service: str):
    """A client of ``service`` and its Stubber (activate with ``with stub:``)."""
    from botocore.stub import Stubber

    client = stubbable_client(service)
    return client, Stubber(client)
