"""EventBridge event-pattern matching, for replaying events through the same rules the events stack
deploys (``mlmeta.events.routes``).

Semantics, as EventBridge documents them ("Creating event patterns", "Arrays in event patterns",
"Comparison operators"):

- a pattern is a JSON object; every field it names must match (AND); fields it does not name are ignored;
- a field's value is either a nested pattern (an object) or a non-empty list of conditions, any of
  which may match (OR);
- if the event's value is an array, the field matches when any element matches (arrays of objects:
  a nested pattern must match within one element);
- a field missing from the event matches nothing but ``{"exists": false}``; ``null`` and ``""`` are
  values, matched by ``null`` and ``""``;
- exact values compare by JSON type: ``"5"`` is not ``5``, ``true`` is not ``1``; numbers compare by value.

Operators implemented (what the routes use, plus their close relatives): exact values, ``prefix``,
``suffix``, ``equals-ignore-case``, ``anything-but`` (a string, a number, a list of strings or of
numbers, or ``{"prefix"|"suffix": ...}``) and ``exists``. Any other operator (``numeric``, ``cidr``,
``wildcard``, ``$or``) is refused by ``check_pattern`` rather than matched wrongly.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

_MISSING = object()
_STRING_OPERATORS = ("prefix", "suffix", "equals-ignore-case")
OPERATORS = (*_STRING_OPERATORS, "anything-but", "exists")


class PatternError(ValueError):
    """The pattern is not one EventBridge accepts, or uses an operator this matcher does not implement."""


def matches(pattern: Mapping[str, Any], event: Any) -> bool:
    """Whether ``event`` (any JSON value) matches the EventBridge event ``pattern``. EventBridge events are
    JSON objects; anything else matches no pattern."""
    check_pattern(pattern)
    return isinstance(event, Mapping) and _matches_object(pattern, event)


def check_pattern(pattern: Any, path: str = "") -> None:
    """Raise PatternError naming the field if ``pattern`` is not a valid pattern of the implemented operators."""
    if not isinstance(pattern, Mapping) or not pattern:
        raise PatternError(f"pattern{_at(path)} must be a non-empty JSON object")
    for key, value in pattern.items():
        field = f"{path}.{key}" if path else str(key)
        if isinstance(value, Mapping):
            check_pattern(value, field)
        elif isinstance(value, list) and value:
            for condition in value:
                _check_condition(condition, field)
        else:
            raise PatternError(f"field {field}: expected a nested pattern or a non-empty list of conditions")


def _check_condition(condition: Any, field: str) -> None:
    if _is_scalar(condition):
        return
    if not isinstance(condition, Mapping) or len(condition) != 1:
        raise PatternError(f"field {field}: a condition is a JSON value or an object with one operator, got {condition!r}")
    ((operator, argument),) = condition.items()
    if operator in _STRING_OPERATORS:
        if not isinstance(argument, str):
            raise PatternError(f"field {field}: {operator} takes a string")
    elif operator == "exists":
        if not isinstance(argument, bool):
            raise PatternError(f"field {field}: exists takes true or false")
    elif operator == "anything-but":
        _check_anything_but(argument, field)
    else:
        raise PatternError(f"field {field}: operator {operator!r} is not implemented here (only {', '.join(OPERATORS)})")


def _check_anything_but(argument: Any, field: str) -> None:
    # EventBridge: strings or numbers, or lists holding only strings or only numbers; or one prefix/suffix.
    if isinstance(argument, Mapping):
        if len(argument) != 1 or next(iter(argument)) not in ("prefix", "suffix") or not isinstance(next(iter(argument.values())), str):
            raise PatternError(f"field {field}: anything-but takes a value, a list, or {{\"prefix\"|\"suffix\": string}}")
        return
    values = argument if isinstance(argument, list) else [argument]
    if not values or not (all(isinstance(v, str) for v in values) or all(_is_number(v) for v in values)):
        raise PatternError(f"field {field}: anything-but takes strings only or numbers only")


def _matches_object(pattern: Mapping[str, Any], value: Any) -> bool:
    if isinstance(value, list):
        return any(_matches_object(pattern, element) for element in _flatten(value))
    fields = value if isinstance(value, Mapping) else {}
    for key, expected in pattern.items():
        actual = fields.get(key, _MISSING)
        if isinstance(expected, Mapping):
            if not _matches_object(expected, {} if actual is _MISSING else actual):
                return False
        elif not _matches_leaf(expected, actual):
            return False
    return True


def _matches_leaf(conditions: list[Any], actual: Any) -> bool:
    # Objects are not leaf values: a list of conditions never matches them (only exists: false does).
    leaves = [] if actual is _MISSING else [v for v in _flatten([actual]) if not isinstance(v, Mapping)]
    for condition in conditions:
        if isinstance(condition, Mapping) and "exists" in condition:
            if bool(leaves) == condition["exists"]:
                return True
        elif any(_condition_matches(condition, leaf) for leaf in leaves):
            return True
    return False


def _condition_matches(condition: Any, value: Any) -> bool:
    if not isinstance(condition, Mapping):
        return _same_value(condition, value)
    ((operator, argument),) = condition.items()
    if operator == "anything-but":
        return not _excluded(argument, value)
    if not isinstance(value, str):
        return False
    if operator == "prefix":
        return value.startswith(argument)
    if operator == "suffix":
        return value.endswith(argument)
    return value.casefold() == argument.casefold()  # equals-ignore-case


def _excluded(argument: Any, value: Any) -> bool:
    if isinstance(argument, Mapping):
        ((operator, text),) = argument.items()
        return isinstance(value, str) and (value.startswith(text) if operator == "prefix" else value.endswith(text))
    values = argument if isinstance(argument, list) else [argument]
    return any(_same_value(excluded, value) for excluded in values)


def _same_value(expected: Any, actual: Any) -> bool:
    if _is_number(expected) or _is_number(actual):
        return _is_number(expected) and _is_number(actual) and expected == actual
    return type(expected) is type(actual) and expected == actual


def _flatten(values: list[Any]) -> Iterator[Any]:
    for value in values:
        if isinstance(value, list):
            yield from _flatten(value)
        else:
            yield value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, bool, int, float))


def _at(path: str) -> str:
    return f" at {path}" if path else ""
