"""Reading synthesized templates the way CloudFormation would: intrinsic values rendered to strings for a
sample account, and IAM policies evaluated for one action on one ARN (IAM's ``*``/``?`` wildcards)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

ACCOUNT = "123456789012"
PSEUDO = {"AWS::AccountId": ACCOUNT, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}


def render(value: Any, *, region: str) -> str:
    """A string, Ref to a pseudo parameter, or Fn::Join of those, as deployed in ACCOUNT/region."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and set(value) == {"Ref"}:
        return {**PSEUDO, "AWS::Region": region}[value["Ref"]]
    if isinstance(value, Mapping) and set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        return separator.join(render(part, region=region) for part in parts)
    raise ValueError(f"cannot render {value!r}")


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(resources: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every statement of every IAM policy resource (inline policies and managed policies)."""
    found = []
    for resource in resources.values():
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            found += resource["Properties"]["PolicyDocument"]["Statement"]
    return found


def iam_matches(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value) is not None


def decide(policy_statements: Iterable[Mapping[str, Any]], action: str, arn: str, *, region: str) -> str:
    """'deny' (an explicit Deny applies), 'allow' (an Allow applies and no Deny) or 'implicit-deny'."""
    outcome = "implicit-deny"
    for statement in policy_statements:
        if not any(iam_matches(a, action) for a in as_list(statement["Action"])):
            continue
        if "NotResource" in statement:
            applies = not any(iam_matches(render(r, region=region), arn) for r in as_list(statement["NotResource"]))
        else:
            applies = any(iam_matches(render(r, region=region), arn) for r in as_list(statement["Resource"]))
        if applies and statement["Effect"] == "Deny":
            return "deny"
        if applies:
            outcome = "allow"
    return outcome


SSM_PARAMETER_TYPE = "AWS::SSM::Parameter::Value<String>"


def layer_parameters(template: Mapping[str, Any], function: Mapping[str, Any]) -> list[str]:
    """The public SSM parameters a function's Layers are resolved from at deploy time; fails on a layer
    given any other way (a literal ARN would be a version guessed at synth)."""
    names = []
    for layer in function["Layers"]:
        if not (isinstance(layer, Mapping) and set(layer) == {"Ref"}):
            raise AssertionError(f"layer {layer!r} is not a reference to a template parameter")
        parameter = template["Parameters"][layer["Ref"]]
        assert parameter["Type"] == SSM_PARAMETER_TYPE, parameter
        names.append(parameter["Default"])
    return names


def this_python() -> str:
    """The Lambda runtime identifier of the interpreter running the tests (python3.13)."""
    return f"python{sys.version_info.major}.{sys.version_info.minor}"
