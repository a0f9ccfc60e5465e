"""Pre-deploy: the region is bootstrapped for the CDK (stack CDKToolkit, complete) with a bootstrap
version at least the one the synthesized templates' ``CheckBootstrapVersion`` rule requires."""

from __future__ import annotations

from botocore.exceptions import ClientError

from mlmeta.doctor.aws import error_code
from mlmeta.doctor.cloudformation import find_stack, is_complete
from mlmeta.doctor.context import DoctorContext
from mlmeta.doctor.result import CheckResult, failed, passed

CHECK = "cdk bootstrap"
TOOLKIT_STACK = "CDKToolkit"
# The default synthesizer's qualifier: the templates read the version from this parameter.
BOOTSTRAP_VERSION_PARAMETER = "/cdk-bootstrap/hnb659fds/version"
# What the templates' CheckBootstrapVersion rule requires with this project's aws-cdk-lib
# (tests/infrastructure/test_doctor_contract.py reads it from a synthesized template).
MIN_BOOTSTRAP_VERSION = 6


def check_bootstrap(ctx: DoctorContext) -> CheckResult:
    bootstrap = f"node_modules/.bin/cdk bootstrap aws://{ctx.account}/{ctx.region}"
    stack = find_stack(ctx.aws("cloudformation"), TOOLKIT_STACK)
    if stack is None:
        return failed(CHECK, f"no {TOOLKIT_STACK} stack in {ctx.region}: the region is not bootstrapped", bootstrap)
    status = stack["StackStatus"]
    if not is_complete(status):
        return failed(
            CHECK, f"{TOOLKIT_STACK} is {status}", f"wait for it to finish, or see its events in the CloudFormation console, then {bootstrap}"
        )
    try:
        value = ctx.aws("ssm").get_parameter(Name=BOOTSTRAP_VERSION_PARAMETER)["Parameter"]["Value"]
    except ClientError as err:
        if error_code(err) != "ParameterNotFound":
            raise
        return failed(CHECK, f"{TOOLKIT_STACK} exists but {BOOTSTRAP_VERSION_PARAMETER} does not", bootstrap)
    version = int(value) if value.isdigit() else None
    if version is None or version < MIN_BOOTSTRAP_VERSION:
        return failed(
            CHECK,
            f"bootstrap version {value} in {ctx.region}; the templates need {MIN_BOOTSTRAP_VERSION} or later",
            f"bootstrap again with this project's CDK CLI: {bootstrap}",
        )
    return passed(CHECK, f"{TOOLKIT_STACK} {status}, bootstrap version {version} (templates need {MIN_BOOTSTRAP_VERSION}+)")
