"""What of a synthesized template an emulated CloudFormation can create, and the template it is given.

moto's CloudFormation, given a resource type it has no model for, logs a warning, creates nothing and
still reports ``CREATE_COMPLETE``; a ``Ref`` to such a resource resolves to nothing and a ``Fn::GetAtt``
fails the whole stack (measured on moto 5.2.5, docs/deploying.md). So the rehearsal does not leave that
to moto: it takes out, and lists with the reason,

- each resource of a type the emulator cannot create;
- each resource that refers (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``) to one taken out, transitively: its
  properties would be wrong, not merely incomplete;
- each resource that needs an output (``Fn::GetStackOutput``, CDK's weak cross-stack reference) of a
  stack that is not deployed or has not that output;

and drops the outputs that refer to what was taken out. ``DependsOn`` on a resource taken out only
orders creation, so that entry is removed and the resource stays. ``Fn::GetStackOutput`` is resolved
here from the deployed stacks' outputs, as CloudFormation resolves it at deploy time (moto does not
know the function).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

GET_STACK_OUTPUT = "Fn::GetStackOutput"
# ${Name} or ${Name.Attribute}; ${!Literal} is an escaped literal.
_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")
_PSEUDO_PREFIX = "AWS::"

UNSUPPORTED, REFERS, NEEDS_OUTPUT = "unsupported type", "refers to a skipped resource", "needs an undeployed output"


@dataclass(frozen=True)
class Skipped:
    logical_id: str
    resource_type: str
    cause: str  # UNSUPPORTED | REFERS | NEEDS_OUTPUT
    reason: str


@dataclass(frozen=True)
class FittedTemplate:
    template: dict[str, Any]
    skipped: tuple[Skipped, ...]
    dropped_outputs: tuple[str, ...]

    @property
    def resource_count(self) -> int:
        return len(self.template.get("Resources", {}))


def fit_template(
    template: Mapping[str, Any],
    unsupported_reason: Callable[[str], str | None],
    stack_outputs: Mapping[str, Mapping[str, str]],
) -> FittedTemplate:
    """``template`` without what cannot be created. ``unsupported_reason(type)``: why the emulator cannot
    create that type, or None if it can; ``stack_outputs``: deployed stack name -> its outputs."""
    resources: dict[str, Any] = copy.deepcopy(dict(template.get("Resources", {})))
    skipped: dict[str, Skipped] = {}
    for logical_id, resource in resources.items():
        reason = unsupported_reason(resource["Type"])
        if reason is not None:
            skipped[logical_id] = Skipped(logical_id, resource["Type"], UNSUPPORTED, reason)
    for logical_id, resource in resources.items():
        if logical_id not in skipped:
            missing = _missing_output(resource, stack_outputs)
            if missing is not None:
                skipped[logical_id] = Skipped(logical_id, resource["Type"], NEEDS_OUTPUT, missing)
    changed = True
    while changed:  # until no kept resource refers to a skipped one
        changed = False
        for logical_id, resource in resources.items():
            if logical_id in skipped:
                continue
            blocked = sorted(references(resource.get("Properties", {})) & skipped.keys())
            if blocked:
                first = skipped[blocked[0]]
                skipped[logical_id] = Skipped(logical_id, resource["Type"], REFERS,
                                              f"refers to {first.logical_id} ({first.resource_type}), which is skipped")
                changed = True
    kept = {logical_id: resource for logical_id, resource in resources.items() if logical_id not in skipped}
    for resource in kept.values():
        _drop_ordering_on(resource, skipped.keys())
    fitted: dict[str, Any] = {key: copy.deepcopy(value) for key, value in template.items() if key not in ("Resources", "Outputs")}
    fitted["Resources"] = resolve_stack_outputs(kept, stack_outputs)
    outputs, dropped = {}, []
    for name, output in template.get("Outputs", {}).items():
        if references(output) & skipped.keys() or _missing_output(output, stack_outputs) is not None:
            dropped.append(name)
        else:
            outputs[name] = resolve_stack_outputs(output, stack_outputs)
    if outputs:
        fitted["Outputs"] = outputs
    ordered = tuple(skipped[logical_id] for logical_id in resources if logical_id in skipped)
    return FittedTemplate(fitted, ordered, tuple(dropped))


def references(value: Any) -> set[str]:
    """The logical ids ``value`` refers to through ``Ref``, ``Fn::GetAtt`` and ``Fn::Sub`` (not pseudo parameters)."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= references(item)
    elif isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str):
            found.add(value["Ref"])
        elif set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            found.add(target.split(".", 1)[0] if isinstance(target, str) else target[0])
        elif set(value) == {"Fn::Sub"}:
            found |= _sub_references(value["Fn::Sub"])
        else:
            for item in value.values():
                found |= references(item)
    return {name for name in found if not name.startswith(_PSEUDO_PREFIX)}


def stack_output_references(value: Any) -> list[Mapping[str, str]]:
    """Every ``Fn::GetStackOutput`` argument (StackName, OutputName, Region) in ``value``."""
    if isinstance(value, list):
        return [found for item in value for found in stack_output_references(item)]
    if isinstance(value, dict):
        if set(value) == {GET_STACK_OUTPUT}:
            return [value[GET_STACK_OUTPUT]]
        return [found for item in value.values() for found in stack_output_references(item)]
    return []


def resolve_stack_outputs(value: Any, stack_outputs: Mapping[str, Mapping[str, str]]) -> Any:
    """``value`` with each ``Fn::GetStackOutput`` replaced by the output's value."""
    if isinstance(value, list):
        return [resolve_stack_outputs(item, stack_outputs) for item in value]
    if isinstance(value, dict):
        if set(value) == {GET_STACK_OUTPUT}:
            reference = value[GET_STACK_OUTPUT]
            return stack_outputs[reference["StackName"]][reference["OutputName"]]
        return {key: resolve_stack_outputs(item, stack_outputs) for key, item in value.items()}
    return value


def _missing_output(value: Any, stack_outputs: Mapping[str, Mapping[str, str]]) -> str | None:
    for reference in stack_output_references(value):
        stack, output = reference["StackName"], reference["OutputName"]
        if stack not in stack_outputs:
            return f"needs output {output} of stack {stack}, which is not deployed"
        if output not in stack_outputs[stack]:
            return f"needs output {output} of stack {stack}, which that stack's deployment left out"
    return None


def _sub_references(argument: Any) -> set[str]:
    template, variables = (argument[0], argument[1]) if isinstance(argument, list) else (argument, {})
    names = {match.split(".", 1)[0] for match in _SUB_VARIABLE.findall(template)} - set(variables)
    return names | references(list(variables.values()))


def _drop_ordering_on(resource: dict[str, Any], skipped: Any) -> None:
    depends_on = resource.get("DependsOn")
    if depends_on is None:
        return
    kept = [name for name in ([depends_on] if isinstance(depends_on, str) else depends_on) if name not in skipped]
    if kept:
        resource["DependsOn"] = kept
    else:
        del resource["DependsOn"]
