"""Writing a name: new() builds a name of a kind from its parts and guarantees that it validates
and parses back into exactly those parts."""

from __future__ import annotations

import re
from datetime import date as Date, datetime, timezone

from .check import validate
from .convention import DEFAULT_CONVENTION, NamingConvention
from .errors import NamingError
from .pattern import CompiledPattern, value_regex
from .vocabulary import FIELDS, FIELDS_BY_PART

# Parts of the examples shown in error messages and docs (the article's running example).
EXAMPLE_PARTS = {
    "use_case": "churn-prediction",
    "execution_id": "p4jn9xou8a8s",
    "user": "ikazaki",
    "date": "20261126",
    "topic": "feature-selection",
    "step": "evaluation",
    "run": "baseline",
}


def new(
    kind: str,
    *,
    use_case: str,
    env: str | None = None,
    execution_id: str | None = None,
    user: str | None = None,
    topic: str | None = None,
    date: str | Date | None = None,
    step: str | None = None,
    run: str | None = None,
    convention: NamingConvention = DEFAULT_CONVENTION,
) -> str:
    """The name of ``kind`` for these parts. ``date`` (YYYYMMDD or a date) defaults to today in UTC.

    Raises NamingError naming the part that is missing, not used by the kind, or invalid, and when
    the name would be too long or would parse back into different parts (a topic or step that
    contains the kind's fixed words).
    """
    compiled = convention.compiled(kind)
    given = {"use_case": use_case, "env": env, "execution_id": execution_id, "user": user,
             "topic": topic, "date": date, "step": step, "run": run}
    unused = [p for p, value in given.items() if value is not None and FIELDS_BY_PART[p].placeholder not in compiled.placeholders]
    if unused:
        raise NamingError(f"kind {kind} takes no {unused[0]} (pattern {compiled.display})", unused[0])
    values = {}
    for placeholder in compiled.placeholders:
        field = FIELDS[placeholder]
        value = given[field.part]
        if placeholder == "yyyymmdd":
            value = _date_text(value)
        if value is None:
            raise NamingError(f"kind {kind} needs {field.part} (pattern {compiled.display})", field.part)
        if not value_is_valid(placeholder, value, convention, kind):
            raise NamingError(f"{field.part} {value!r} is not {value_meaning(placeholder, convention)}", field.part)
        values[placeholder] = value
    name = compiled.render(values)
    verdict = validate(kind, name, convention)
    if not verdict.compliant:
        raise NamingError(f"the {kind} name {name!r} breaks the convention: {verdict.reason}")
    expected = {FIELDS[p].part: values[p] for p in compiled.placeholders}
    if verdict.parts != expected:
        part = next(p for p in expected if verdict.parts.get(p) != expected[p])
        raise NamingError(
            f"the {kind} name {name!r} would read back with {part} {verdict.parts[part]!r} instead of {expected[part]!r}: "
            f"keep {', '.join(repr(w) for w in _fixed_words(compiled, convention))} out of the parts after the use case",
            part,
        )
    return name


def example(kind: str, convention: NamingConvention = DEFAULT_CONVENTION) -> str | None:
    """A name of ``kind`` built from the example parts, or None if the convention cannot fit them."""
    placeholders = convention.compiled(kind).placeholders
    parts = {FIELDS[p].part: EXAMPLE_PARTS.get(FIELDS[p].part) for p in placeholders}
    if "env" in parts:
        parts["env"] = convention.environments[-1]
    try:
        return new(kind, convention=convention, **parts)  # type: ignore[arg-type]
    except NamingError:
        return None


def _date_text(value: str | Date | None) -> str:
    if value is None:
        # timezone.utc, not datetime.UTC (3.11+): the pipeline's step code runs this on older Pythons.
        return datetime.now(timezone.utc).strftime("%Y%m%d")
    if isinstance(value, Date):
        return value.strftime("%Y%m%d")
    if isinstance(value, str) and re.fullmatch(r"[0-9]{8}", value):
        try:
            datetime.strptime(value, "%Y%m%d")
            return value
        except ValueError:
            pass
    raise NamingError(f"date {value!r} is not {FIELDS['yyyymmdd'].meaning}", "date")


def _fixed_words(compiled: CompiledPattern, convention: NamingConvention) -> tuple[str, ...]:
    environments = convention.environments if "env" in compiled.placeholders else ()
    return compiled.words + environments


def value_is_valid(placeholder: str, value: object, convention: NamingConvention, kind: str) -> bool:
    """Whether ``value`` may fill ``placeholder`` in a name of ``kind``."""
    regex = value_regex(placeholder, environments=convention.environments, lowercase=convention.requires_lowercase(kind))
    return isinstance(value, str) and re.fullmatch(regex, value) is not None


def value_meaning(placeholder: str, convention: NamingConvention) -> str:
    if placeholder == "env":
        return f"a known environment ({', '.join(convention.environments)})"
    return FIELDS[placeholder].meaning
