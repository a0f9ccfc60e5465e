"""A Python Lambda the way every mlmeta handler runs: the test venv's Python (``mlmeta.config.lambda_runtime``),
arm64, Powertools from AWS's public layer (the tests' version, its ARN resolved at deploy time from AWS's
public SSM parameter), its own log group with the environment's retention, and a role that can write
only to that log group (each construct adds what its handler calls).

Code comes from ``stacks.common.runtime_code`` (no Docker): ``lambdas/<handler>/`` at the asset's top level,
the other ``lambdas/`` packages it imports, the contract ``mlmeta_contract/`` whole and any other
repository directories it imports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from mlmeta.config import lambda_runtime
from mlmeta_contract.handlers import LOG_LEVEL, LOG_LEVEL_VALUE, SERVICE_NAME
from stacks.common import nag
from stacks.common.runtime_code import handler_path, lambda_code

PYTHON_RUNTIME = lambda_.Runtime(lambda_runtime.runtime_name(), lambda_.RuntimeFamily.PYTHON)
ARCHITECTURE = {"arm64": lambda_.Architecture.ARM_64, "x86_64": lambda_.Architecture.X86_64}[lambda_runtime.ARCHITECTURE]

# CloudWatch Logs accepts only these retention periods.
_RETENTION_DAYS = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    2192: logs.RetentionDays.SIX_YEARS,
    2557: logs.RetentionDays.SEVEN_YEARS,
    2922: logs.RetentionDays.EIGHT_YEARS,
    3288: logs.RetentionDays.NINE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}

def log_retention(days: int) -> logs.RetentionDays:
    """The CloudWatch Logs retention for ``days``; fails on a period CloudWatch does not offer."""
    try:
        return _RETENTION_DAYS[days]
    except KeyError:
        allowed = ", ".join(str(d) for d in _RETENTION_DAYS)
        raise ValueError(f"log retention of {days} days is not offered by CloudWatch Logs; use one of {allowed}") from None


def public_layer(scope: Construct, construct_id: str, parameter_name: str) -> lambda_.ILayerVersion:
    """The layer whose version ARN AWS publishes in the public SSM parameter ``parameter_name``.

    The ARN is a CloudFormation parameter of type ``AWS::SSM::Parameter::Value<String>`` (one per stack and
    name), resolved by CloudFormation in the deploy's region: nothing is looked up at synth."""
    arn = ssm.StringParameter.value_for_string_parameter(scope, parameter_name)
    return lambda_.LayerVersion.from_layer_version_arn(scope, construct_id, arn)


def log_group(scope: Construct, construct_id: str, *, retention_days: int, removal_policy: RemovalPolicy) -> logs.LogGroup:
    """An explicit log group: retention and removal are ours, not Lambda's never-expiring default."""
    return logs.LogGroup(scope, construct_id, retention=log_retention(retention_days), removal_policy=removal_policy)


def grant_log_writes(group: logs.ILogGroup, role: iam.Role) -> None:
    """Let ``role`` write to ``group`` only (no AWSLambdaBasicExecutionRole, which allows every log group)."""
    group.grant_write(role)


def accept_role_dependency(function: lambda_.IFunction) -> None:
    """CDK makes every function DependsOn its role (and the role's policy) although ``Role`` already
    references it; cfn-lint warns (W3005) about the redundant half. Harmless: acknowledged on the
    function only, so any other W3005 still shows."""
    cfn_function = function.node.default_child
    cfn_function.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})


class PythonLambda(Construct):
    """``lambdas/<handler>/<module>.py:<function>`` as a Lambda function with its log group and role.

    ``packages``: other ``lambdas/`` packages the handler imports (``mlmeta_runtime``); ``shared``:
    repository directories it imports besides ``mlmeta_contract/``, which every asset ships (``mlmeta/lake``)."""

    function: lambda_.Function
    role: iam.Role
    log_group: logs.LogGroup

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: str,
        entry: str,
        description: str,
        service: str,
        log_retention_days: int,
        log_removal_policy: RemovalPolicy,
        environment: Mapping[str, str] | None = None,
        packages: Sequence[str] = (),
        shared: Sequence[str] = (),
        timeout: Duration = Duration.minutes(1),
        memory_size: int = 256,
        layer_parameters: Mapping[str, str] | None = None,
    ) -> None:
        """``layer_parameters``: construct id -> public SSM parameter of a layer's ARN; None: Powertools only."""
        super().__init__(scope, construct_id)
        module, function = entry.split(":")
        self.log_group = log_group(self, "Logs", retention_days=log_retention_days, removal_policy=log_removal_policy)
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description)
        grant_log_writes(self.log_group, self.role)
        if layer_parameters is None:
            layer_parameters = {"Powertools": lambda_runtime.powertools_layer_parameter()}
        layers = [public_layer(self, layer_id, name) for layer_id, name in layer_parameters.items()]
        self.function = lambda_.Function(
            self,
            "Function",
            code=lambda_code(handler, packages=packages, shared=shared),
            handler=handler_path(handler, module, function),
            runtime=PYTHON_RUNTIME,
            architecture=ARCHITECTURE,
            layers=layers,
            description=description,
            role=self.role,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            timeout=timeout,
            memory_size=memory_size,
            environment={
                SERVICE_NAME: service,
                LOG_LEVEL: LOG_LEVEL_VALUE,
                **(environment or {}),
            },
        )
        accept_role_dependency(self.function)
        nag.suppress(
            self.function.node.default_child,
            "AwsSolutions-L1",
            f"{PYTHON_RUNTIME.name} on purpose: the handler tests run on the same interpreter (one Python for Lambda and "
            "the tests; python3.14 is not installable on the project's machines); AWS's Lambda runtimes page gives "
            "python3.13 a deprecation date of 2029-06-30",
        )
