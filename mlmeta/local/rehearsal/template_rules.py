"""A template's ``Rules``, evaluated as CloudFormation evaluates them before it creates anything.

moto ignores the section (measured on 5.2.5), so CDK's ``CheckBootstrapVersion`` (the bootstrap
version, an SSM parameter, is not 1 to 5) would never fail there. The rehearsal evaluates each rule's
assertions with the stack's resolved parameter values; the rule functions are those of AWS's template
reference ("Rules"): Fn::And, Fn::Contains, Fn::Equals, Fn::Not, Fn::Or, and Ref to a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class RuleError(ValueError):
    """A rule uses what the rehearsal cannot evaluate."""


def failed_assertions(template: Mapping[str, Any], parameters: Mapping[str, Any]) -> list[str]:
    """``rule: description`` of each assertion that does not hold; empty when every rule passes."""
    failed = []
    for name, rule in template.get("Rules", {}).items():
        if "RuleCondition" in rule and not _evaluate(rule["RuleCondition"], parameters, name):
            continue
        for assertion in rule.get("Assertions", []):
            if not _evaluate(assertion["Assert"], parameters, name):
                failed.append(f"{name}: {assertion.get('AssertDescription', 'assertion failed')}")
    return failed


def _evaluate(expression: Any, parameters: Mapping[str, Any], rule: str) -> Any:
    if isinstance(expression, list):
        return [_evaluate(item, parameters, rule) for item in expression]
    if not isinstance(expression, dict):
        return expression
    if len(expression) != 1:
        raise RuleError(f"rule {rule}: {expression!r} is not one rule function")
    (function, argument), = expression.items()
    if function == "Ref":
        if argument not in parameters:
            raise RuleError(f"rule {rule}: Ref {argument} is not a parameter of the template")
        return parameters[argument]
    values = _evaluate(argument, parameters, rule)
    if function == "Fn::Not":
        return not values[0]
    if function == "Fn::And":
        return all(values)
    if function == "Fn::Or":
        return any(values)
    if function == "Fn::Equals":
        return str(values[0]) == str(values[1])
    if function == "Fn::Contains":
        return str(values[1]) in [str(item) for item in values[0]]
    raise RuleError(f"rule {rule}: {function} is a rule function the rehearsal does not evaluate")
