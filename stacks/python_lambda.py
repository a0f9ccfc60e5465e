"""A Python Lambda the way every mlmeta handler runs: the latest Python runtime the CDK offers, arm64,
Powertools from AWS's public layer (pinned), its own log group with the environment's retention, and
a role that can write only to that log group (each construct adds what its handler calls).

Code comes from ``stacks.runtime_code`` (no Docker): ``lambdas/<handler>/`` at the asset's top level,
the other ``lambdas/`` packages it imports, and the pure-stdlib repository code it imports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from mlmeta.config.settings import POWERTOOLS_LAYER_VERSION
from stacks.runtime_code import DEFAULT_SHARED, handler_path, lambda_code

PYTHON_RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
# AWS's account that publishes the Powertools layers in the commercial regions.
POWERTOOLS_PUBLISHER_ACCOUNT = "017000801446"
LOG_LEVEL = "INFO"

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


def powertools_layer_arn(region: str, *, version: int = POWERTOOLS_LAYER_VERSION) -> str:
    """AWS's public Powertools layer for PYTHON_RUNTIME on ARCHITECTURE, pinned to ``version``."""
    python = PYTHON_RUNTIME.name.replace(".", "")  # python3.14 -> python314
    return (
        f"arn:aws:lambda:{region}:{POWERTOOLS_PUBLISHER_ACCOUNT}:layer:"
        f"AWSLambdaPowertoolsPythonV3-{python}-{ARCHITECTURE.name}:{version}"
    )


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
    repository directories or files it imports (``mlmeta/naming``, ``mlmeta/lake/schema.py``)."""

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
        shared: Sequence[str] = DEFAULT_SHARED,
        timeout: Duration = Duration.minutes(1),
        memory_size: int = 256,
        layer_arns: Mapping[str, str] | None = None,
    ) -> None:
        """``layer_arns``: construct id -> layer version ARN; None: the Powertools layer only."""
        super().__init__(scope, construct_id)
        module, function = entry.split(":")
        self.log_group = log_group(self, "Logs", retention_days=log_retention_days, removal_policy=log_removal_policy)
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description)
        grant_log_writes(self.log_group, self.role)
        if layer_arns is None:
            layer_arns = {"Powertools": powertools_layer_arn(Stack.of(self).region)}
        layers = [lambda_.LayerVersion.from_layer_version_arn(self, layer_id, arn) for layer_id, arn in layer_arns.items()]
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
                "POWERTOOLS_SERVICE_NAME": service,
                "POWERTOOLS_LOG_LEVEL": LOG_LEVEL,
                **(environment or {}),
            },
        )
        accept_role_dependency(self.function)
