"""Pre-deploy: AWS's public layers resolve in the region. Each public SSM parameter the templates
reference (mlmeta/config/lambda_runtime.py) holds a layer version ARN of the layer's publisher in this
region, and that layer version (lambda GetLayerVersionByArn) is offered for the functions' runtime and
architecture, which also shows that the region offers the runtime."""

from __future__ import annotations


from botocore.exceptions import ClientError

from mlmeta.config import lambda_runtime
from mlmeta.doctor.aws import error_code, error_text
from mlmeta.doctor.context import DoctorContext
from mlmeta.doctor.result import CheckResult, failed, passed

VERSIONS_FILE = "mlmeta/config/lambda_runtime.py"


LAYERS = lambda_runtime.public_layers()


def check_layer(ctx: DoctorContext, layer: lambda_runtime.PublicLayer) -> CheckResult:
    check = f"layer {layer.label}"
    runtime, architecture = lambda_runtime.runtime_name(), lambda_runtime.ARCHITECTURE
    try:
        arn = ctx.aws("ssm").get_parameter(Name=layer.parameter)["Parameter"]["Value"]
    except ClientError as err:
        if error_code(err) != "ParameterNotFound":
            raise
        return failed(
            check,
            f"{layer.parameter} does not exist in {ctx.region}: AWS publishes no such layer version for {runtime} {architecture} there",
            f"set {layer.version_setting} in {VERSIONS_FILE} to a version published in {ctx.region}, or deploy to a region that has it",
        )
    problem = _arn_problem(arn, layer, ctx.region)
    if problem:
        return failed(check, f"{layer.parameter} = {arn}: {problem}", "do not deploy: the parameter is AWS's; report it to the layer's publisher")
    try:
        version = ctx.aws("lambda").get_layer_version_by_arn(Arn=arn)
    except ClientError as err:
        return failed(check, f"{arn} cannot be read: {error_text(err)}", "allow lambda:GetLayerVersion on it to the caller; the deploying role needs it too")
    runtimes = version.get("CompatibleRuntimes", [])
    if runtime not in runtimes:
        return failed(
            check,
            f"{arn} is for {', '.join(runtimes) or 'no listed runtime'}, not {runtime} (or {ctx.region} does not offer {runtime})",
            f"set {layer.version_setting} in {VERSIONS_FILE} to a version built for {runtime}",
        )
    architectures = version.get("CompatibleArchitectures")
    # A layer published before architectures existed lists none: it is x86_64 only.
    if architecture not in (architectures or ["x86_64"]):
        return failed(check, f"{arn} is for {', '.join(architectures or ['x86_64'])}, not {architecture}", f"check {layer.parameter} names {architecture}")
    return passed(check, f"{layer.parameter} -> {arn} ({runtime}, {architecture})")


def _arn_problem(arn: str, layer: lambda_runtime.PublicLayer, region: str) -> str | None:
    """Why ``arn`` (arn:<partition>:lambda:<region>:<account>:layer:<name>:<version>) is not the expected layer."""
    parts = arn.split(":")
    if len(parts) != 8 or parts[2] != "lambda" or parts[5] != "layer" or not parts[7].isdigit():
        return "not a layer version ARN"
    if parts[4] != layer.publisher_account:
        return f"published by account {parts[4]}, not {layer.label}'s publisher {layer.publisher_account}"
    if parts[3] != region:
        return f"a layer of region {parts[3]}, not {region}"
    return None
