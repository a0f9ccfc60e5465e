"""The deployed environment read back from the embedded AWS, for replay (``mlmeta.local.deployment``):
the events stack's rules (pattern or schedule, state, targets) from EventBridge, each target's function
configuration from Lambda, the lake bucket, quarantine queue and notices topic from the stacks' outputs.

Nothing here comes from the code's own idea of the stack (``mlmeta.events.routes``, ``handlers``): a
handler runs with the variables its deployed function has, its code is the module its deployed
``Handler`` setting names. The wiring checks compare each function's variables with the outputs and
check that the resources exist, so a stack that wired a function to the wrong queue or bucket shows
here, not only when an event goes astray.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from mlmeta.config import EnvironmentSettings
from mlmeta.local.deployment import DeployedFunction, Deployment
from mlmeta.events.handlers import HANDLERS, LAKE_BUCKET, NOTICES_TOPIC_ARN, QUARANTINE_QUEUE_URL, EventResources, HandlerSpec
from mlmeta.events.routes import Route

# The outputs the lake and events stacks declare for operators (docs/infrastructure.md).
LAKE_BUCKET_OUTPUT = "LakeBucketName"
QUARANTINE_QUEUE_OUTPUT = "QuarantineQueueUrl"
NOTICES_TOPIC_OUTPUT = "NoticesTopicArn"
RULE_TYPE = "AWS::Events::Rule"
ENABLED = "ENABLED"


class DeploymentError(RuntimeError):
    """The deployed environment cannot be replayed against; the message says what is missing."""


@dataclass(frozen=True)
class WiringCheck:
    subject: str  # e.g. "snapshotter LAKE_BUCKET" or "lake bucket exists"
    expected: str
    actual: str | None

    @property
    def ok(self) -> bool:
        return self.actual == self.expected


def read_deployment(aws: Mapping[str, Any], settings: EnvironmentSettings) -> tuple[Deployment, tuple[WiringCheck, ...]]:
    """The deployed environment of ``settings`` (``aws``: cloudformation, events, lambda, s3, sqs, sns clients)."""
    lake_stack, events_stack = settings.stack_name("lake"), settings.stack_name("events")
    resources = EventResources(
        lake_bucket=_output(aws["cloudformation"], lake_stack, LAKE_BUCKET_OUTPUT),
        quarantine_queue_url=_output(aws["cloudformation"], events_stack, QUARANTINE_QUEUE_OUTPUT),
        notices_topic_arn=_output(aws["cloudformation"], events_stack, NOTICES_TOPIC_OUTPUT),
    )
    routes: list[Route] = []
    functions: dict[str, DeployedFunction] = {}
    for rule_name in _rule_names(aws["cloudformation"], events_stack):
        rule = aws["events"].describe_rule(Name=rule_name)
        if rule.get("State") != ENABLED:  # EventBridge routes nothing through a disabled rule
            continue
        for target in aws["events"].list_targets_by_rule(Rule=rule_name)["Targets"]:
            if ":lambda:" not in target["Arn"]:  # the doctor's probe rule delivers to a queue, not a handler
                continue
            configuration = aws["lambda"].get_function_configuration(FunctionName=target["Arn"])
            spec = _deployed_spec(configuration, rule_name)
            function = DeployedFunction(configuration["FunctionName"], configuration["FunctionArn"], int(configuration["MemorySize"]),
                                        dict(configuration.get("Environment", {}).get("Variables", {})))
            if functions.setdefault(spec.name, function) != function:
                raise DeploymentError(f"two deployed functions run the {spec.name} handler: {functions[spec.name].name} and {function.name}")
            pattern = json.loads(rule["EventPattern"]) if rule.get("EventPattern") else None
            routes.append(Route(rule_name, rule.get("Description", ""), spec, pattern=pattern,
                                schedule=None if pattern is not None else rule.get("ScheduleExpression")))
    if not routes:
        raise DeploymentError(f"stack {events_stack} has no enabled rule with a target: nothing to replay through")
    return Deployment(resources, tuple(routes), functions), _wiring(aws, resources, routes, functions)


def _deployed_spec(configuration: Mapping[str, Any], rule: str) -> HandlerSpec:
    """The handler spec of the code the deployed function runs (``package.module.function``)."""
    package, _, rest = configuration["Handler"].partition(".")
    module, _, function = rest.rpartition(".")
    for spec in HANDLERS:
        if spec.package == package and module:
            return dataclasses.replace(spec, module=module, function=function, memory_mb=int(configuration["MemorySize"]),
                                       timeout_seconds=int(configuration["Timeout"]))
    raise DeploymentError(f"rule {rule} targets {configuration['FunctionName']}, whose handler {configuration['Handler']} "
                          f"is not one of the event handlers ({', '.join(s.package for s in HANDLERS)})")


def _wiring(aws: Mapping[str, Any], resources: EventResources, routes: list[Route],
            functions: Mapping[str, DeployedFunction]) -> tuple[WiringCheck, ...]:
    checks = [
        WiringCheck("lake bucket exists", resources.lake_bucket, _exists(lambda: aws["s3"].head_bucket(Bucket=resources.lake_bucket),
                                                                         resources.lake_bucket)),
        WiringCheck("quarantine queue exists", resources.quarantine_queue_url,
                    _exists(lambda: aws["sqs"].get_queue_attributes(QueueUrl=resources.quarantine_queue_url),
                            resources.quarantine_queue_url)),
        WiringCheck("notices topic exists", resources.notices_topic_arn,
                    _exists(lambda: aws["sns"].get_topic_attributes(TopicArn=resources.notices_topic_arn), resources.notices_topic_arn)),
    ]
    specs = {route.handler.name: route.handler for route in routes}
    for name, function in sorted(functions.items()):
        spec = specs[name]
        expected = {QUARANTINE_QUEUE_URL: resources.quarantine_queue_url}
        if spec.needs_lake:
            expected[LAKE_BUCKET] = resources.lake_bucket
        if spec.needs_notices:
            expected[NOTICES_TOPIC_ARN] = resources.notices_topic_arn
        checks.extend(WiringCheck(f"{name} {variable}", value, function.environment.get(variable)) for variable, value in expected.items())
    return tuple(checks)


def _exists(call: Any, identity: str) -> str | None:
    try:
        call()
    except ClientError:
        return None
    return identity


def _output(cloudformation: Any, stack: str, output: str) -> str:
    try:
        described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    except ClientError:
        raise DeploymentError(f"stack {stack} is not deployed: nothing to replay against") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    if output not in outputs:
        raise DeploymentError(f"stack {stack} has no output {output}")
    return outputs[output]


def _rule_names(cloudformation: Any, stack: str) -> list[str]:
    summaries = cloudformation.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    return [s["PhysicalResourceId"] for s in summaries if s.get("ResourceType") == RULE_TYPE]
