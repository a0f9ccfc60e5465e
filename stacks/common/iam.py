"""IAM statements as the stacks write them, and cdk-nag's IAM5 finding for each wildcard resource of a
policy, acknowledged with the reasons of the statements that use it.

A ``Statement`` carries its resources and, when any is a wildcard, why it cannot be narrower; ``allow``
builds one. ``acknowledge_wildcards`` fails the synth for a wildcard without a reason.

cdk-nag names a finding after the resource as it stands in the synthesized template: references become
``<Logical.Attr>`` and ``<AWS::Pseudo>``, other intrinsics their JSON. A weak cross-stack reference
(the lake's bucket ARN) is only replaced by ``Fn::GetStackOutput`` while the app synthesizes, after
acknowledgements must exist, so its text is computed here the way CDK names the producer's output:
construct ``Publish/Output<reference as JSON>`` in the producing stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import App, Aws, CfnOutput, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from stacks.common import nag


@dataclass(frozen=True)
class Statement:
    statement: iam.PolicyStatement
    resources: tuple[str, ...]
    # Why the statement's wildcard resources cannot be narrower; required when it has any.
    wildcards: str | None


def account_service_principal(service: str) -> iam.IPrincipal:
    """``service`` (e.g. ``sagemaker.amazonaws.com``) acting for this account only: a role it assumes
    cannot be assumed on another account's behalf (the confused deputy)."""
    return iam.ServicePrincipal(service).with_conditions({"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}})


def allow(
    sid: str, actions: Sequence[str], resources: Sequence[str], *, conditions: dict | None = None, wildcards: str | None = None
) -> Statement:
    statement = iam.PolicyStatement(sid=sid, actions=list(actions), resources=list(resources), conditions=conditions)
    return Statement(statement=statement, resources=tuple(resources), wildcards=wildcards)


def weak_references(producer: Stack, *values: str) -> dict[str, str]:
    """For tokens of ``producer`` used in another stack: how each resolves in ``producer`` (as JSON) -> how
    cdk-nag shows it in the consumer."""
    shown = {}
    for value in values:
        resolved = producer.resolve(value)
        output_id = "Output" + json.dumps(resolved, separators=(",", ":"))
        reference = {"StackName": producer.stack_name, "Region": producer.region, "OutputName": _output_logical_id(output_id)}
        shown[_key(resolved)] = json.dumps({"Fn::GetStackOutput": reference}, separators=(",", ":"))
    return shown


def acknowledge_wildcards(policy: iam.Policy, statements: Sequence[Statement], external: Mapping[str, str] | None = None) -> None:
    """Acknowledge the IAM5 finding of each wildcard resource of ``policy`` with the reasons of every
    statement using it (``Resource::*`` may be shared by several); a wildcard without a reason fails the
    synth. ``external``: the weak cross-stack references among the resources (``weak_references``)."""
    external = external or {}
    reasons: dict[str, list[str]] = {}
    stack = Stack.of(policy)
    for statement in statements:
        texts = [finding_text(stack.resolve(resource), external) for resource in statement.resources]
        wildcards = [text for text in texts if "*" in text]
        if wildcards and not statement.wildcards:
            raise ValueError(f"statement {statement.statement.sid} has wildcard resources but no reason for them")
        for text in wildcards:
            reasons.setdefault(text, []).append(f"{statement.statement.sid}: {statement.wildcards}")
    for text, why in reasons.items():
        nag.suppress(policy, f"AwsSolutions-IAM5[Resource::{text}]", "; ".join(why))


def finding_text(value: Any, external: Mapping[str, str]) -> str:
    """A resolved resource as cdk-nag writes it in a finding."""
    if isinstance(value, str):
        return re.sub(r"\$\{([^}]+)\}", r"<\1>", value)
    if _key(value) in external:
        return external[_key(value)]
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Fn::Join":
            separator, parts = argument
            return separator.join(finding_text(part, external) for part in parts)
        if function == "Ref":
            return f"<{argument}>"
        if function == "Fn::GetAtt":
            return f"<{argument[0]}.{argument[1]}>"
        if function == "Fn::Sub" and isinstance(argument, str):
            return finding_text(argument, external)
    raise ValueError(f"cannot render {value!r} as a cdk-nag finding")


def _output_logical_id(output_id: str) -> str:
    """The logical ID CDK gives ``Publish/<output_id>`` in any stack (it depends on the path below the stack only)."""
    probe = Stack(App(), "Probe")
    output = CfnOutput(Construct(probe, "Publish"), output_id, value="probe")
    return probe.resolve(output.logical_id)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
