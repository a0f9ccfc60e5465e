"""Post-deploy: the events stack's rules, queues and functions exist and work, as the stack's resources
(cloudformation ListStackResources) name them: events DescribeRule (ENABLED), sqs GetQueueAttributes,
lambda GetFunctionConfiguration (not failed, last update not failed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from mlmeta.doctor.aws import error_code
from mlmeta.doctor.cloudformation import stack_resources
from mlmeta.doctor.context import DoctorContext
from mlmeta.doctor.deployed_stacks import Deployment, deploy_command
from mlmeta.doctor.result import CheckResult, failed, passed

MISSING = "missing"
NOT_FOUND = {"ResourceNotFoundException", "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}


@dataclass(frozen=True)
class ResourceKind:
    singular: str
    plural: str
    resource_type: str
    # Why the resource (by physical ID) does not work, or None; MISSING when the service does not know it.
    problem: Callable[[DoctorContext, str], str | None]
    # What to do about such a problem of the resource of that physical ID (a missing one aside).
    fix: Callable[[str], str]


def _rule_problem(ctx: DoctorContext, physical_id: str) -> str | None:
    # A rule on a custom bus has the physical ID "bus|rule"; on the default bus, just its name.
    bus, _, name = physical_id.rpartition("|")
    rule = ctx.aws("events").describe_rule(Name=name, **({"EventBusName": bus} if bus else {}))
    return None if rule["State"].startswith("ENABLED") else rule["State"]


def _queue_problem(ctx: DoctorContext, queue_url: str) -> str | None:
    ctx.aws("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    return None


def _function_problem(ctx: DoctorContext, name: str) -> str | None:
    configuration = ctx.aws("lambda").get_function_configuration(FunctionName=name)
    # Pending and Inactive pass: Lambda leaves them by itself (a function idle for weeks is Inactive
    # until its next invocation); only a failed state or a failed last update needs a person.
    if configuration.get("State") == "Failed":
        return "state Failed"
    return "last update Failed" if configuration.get("LastUpdateStatus") == "Failed" else None


KINDS = (
    ResourceKind("rule", "rules", "AWS::Events::Rule", _rule_problem, lambda rule: f"aws events enable-rule --name {rule.rpartition('|')[2]}"),
    ResourceKind("queue", "queues", "AWS::SQS::Queue", _queue_problem, lambda queue: f"aws sqs get-queue-attributes --queue-url {queue}"),
    ResourceKind(
        "function",
        "functions",
        "AWS::Lambda::Function",
        _function_problem,
        lambda function: f"read why in aws lambda get-function-configuration --function-name {function}, fix, then redeploy",
    ),
)


def check_events_resources(ctx: DoctorContext, deployment: Deployment) -> list[CheckResult]:
    stack_name = ctx.settings.stack_name("events")
    if deployment.stacks.get(stack_name) is None:
        return [failed(f"events {kind.plural}", f"stack {stack_name} is not deployed", deploy_command(ctx.settings)) for kind in KINDS]
    resources = stack_resources(ctx.aws("cloudformation"), stack_name)
    return [_check_kind(ctx, stack_name, kind, [r for r in resources if r["ResourceType"] == kind.resource_type]) for kind in KINDS]


def _check_kind(ctx: DoctorContext, stack_name: str, kind: ResourceKind, resources: list[dict[str, Any]]) -> CheckResult:
    check = f"events {kind.plural}"
    if not resources:
        return failed(check, f"stack {stack_name} has no {kind.resource_type}", deploy_command(ctx.settings))
    problems = {}
    for resource in resources:
        problem = _problem(ctx, kind, resource.get("PhysicalResourceId", ""))
        if problem:
            problems[resource["LogicalResourceId"]] = (resource.get("PhysicalResourceId", ""), problem)
    if not problems:
        counted = kind.singular if len(resources) == 1 else kind.plural
        return passed(check, f"{len(resources)} {counted} of {stack_name}, all working")
    listed = ", ".join(f"{logical} {physical} ({problem})" for logical, (physical, problem) in problems.items())
    return failed(check, f"{len(problems)} of {len(resources)} {kind.plural}: {listed}", _fix(ctx, stack_name, kind, problems))


def _problem(ctx: DoctorContext, kind: ResourceKind, physical_id: str) -> str | None:
    if not physical_id:
        return MISSING
    try:
        return kind.problem(ctx, physical_id)
    except ClientError as err:
        if error_code(err) in NOT_FOUND:
            return MISSING
        raise


def _fix(ctx: DoctorContext, stack_name: str, kind: ResourceKind, problems: dict[str, tuple[str, str]]) -> str:
    fixes = [kind.fix(physical) for physical, problem in problems.values() if problem != MISSING]
    if len(fixes) < len(problems):
        fixes.append(
            f"what is missing was deleted outside CloudFormation (aws cloudformation detect-stack-drift --stack-name {stack_name}): "
            f"read the stack's queues, delete the stateless stack and {deploy_command(ctx.settings)}"
        )
    return "; ".join(fixes)
