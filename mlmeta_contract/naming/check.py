"""Reading a name: validate() says whether it follows the convention for a kind and why not;
parse() returns its parts or raises."""

from __future__ import annotations

import re
from datetime import datetime

from .convention import DEFAULT_CONVENTION, NamingConvention
from .errors import NameViolation
from .pattern import CompiledPattern
from .verdict import Rule, Verdict
from .vocabulary import FIELDS_BY_PART, SAGEMAKER_NAME_RE

_NOT_NAME_CHARACTER = re.compile(r"[^a-zA-Z0-9-]")
_UPPERCASE = re.compile(r"[A-Z]")


def validate(kind: str, name: str, convention: NamingConvention = DEFAULT_CONVENTION) -> Verdict:
    """Check ``name`` against the pattern of ``kind``; the first rule it breaks decides the verdict."""
    compiled = convention.compiled(kind)

    def violation(rule: Rule, reason: str) -> Verdict:
        return Verdict(False, kind, name, rule, reason)

    if not name:
        return violation(Rule.EMPTY, "empty: a name is required")
    if len(name) > convention.max_length:
        return violation(Rule.TOO_LONG, f"too long: {len(name)} characters, at most {convention.max_length} allowed")
    uppercase = _UPPERCASE.search(name)
    if uppercase and convention.requires_lowercase(kind):
        return violation(
            Rule.UPPERCASE,
            f"uppercase {uppercase[0]!r} at position {uppercase.start() + 1}: names are lowercase "
            "(SageMaker Metrics accepts only lowercase trial-component names)",
        )
    characters = _character_problem(name)
    if characters:
        return violation(Rule.INVALID_CHARACTERS, f"invalid characters: {characters}")
    missing = [word for word in compiled.words if f"-{word}-" not in f"-{name}-"]
    if missing:
        return violation(
            Rule.MISSING_KIND_WORD, f"missing kind word {missing[0]!r}: kind {kind} has the shape {compiled.display}"
        )
    strict = compiled.strict.fullmatch(name)
    match = strict or compiled.relaxed.fullmatch(name)
    parts = {part: value for part, value in match.groupdict().items() if value is not None} if match else {}
    part_problem = _part_problem(parts, compiled, convention)
    if part_problem:
        return violation(*part_problem)
    if strict is None:
        return violation(Rule.WRONG_SHAPE, f"wrong shape for kind {kind}: expected {compiled.display}{_example(kind, convention)}")
    return Verdict(True, kind, name, Rule.COMPLIANT, f"matches {compiled.display}", parts)


def parse(kind: str, name: str, convention: NamingConvention = DEFAULT_CONVENTION) -> dict[str, str]:
    """The parts of a compliant name (keys as new() takes them: use_case, env, ...); raises NameViolation."""
    verdict = validate(kind, name, convention)
    if not verdict.compliant:
        raise NameViolation(verdict)
    return dict(verdict.parts)


def _character_problem(name: str) -> str | None:
    bad = _NOT_NAME_CHARACTER.search(name)
    if bad:
        return f"{bad[0]!r} at position {bad.start() + 1}; use letters, digits and single hyphens"
    if not SAGEMAKER_NAME_RE.fullmatch(name):
        return "a name starts and ends with a letter or digit"
    if "--" in name:
        return f"'--' at position {name.index('--') + 1}; separate words with a single hyphen"
    return None


def _part_problem(parts: dict[str, str], compiled: CompiledPattern, convention: NamingConvention) -> tuple[Rule, str] | None:
    """The first part that breaks its own rule (env, execution id, date), read left to right."""
    shape = f"(shape {compiled.display})"
    for part, value in parts.items():
        if part == "env" and value not in convention.environments:
            return Rule.UNKNOWN_ENV, f"unknown env {value!r}: known environments are {', '.join(convention.environments)} {shape}"
        if part == "execution_id" and not re.fullmatch(r"[a-z0-9]{12}", value):
            return Rule.BAD_EXECUTION_ID, f"bad execution id {value!r}: expected {FIELDS_BY_PART[part].meaning} {shape}"
        if part == "date" and not _is_date(value):
            return Rule.BAD_DATE, f"bad date {value!r}: expected {FIELDS_BY_PART[part].meaning} {shape}"
    return None


def _is_date(value: str) -> bool:
    if not re.fullmatch(r"[0-9]{8}", value):
        return False
    try:
        datetime.strptime(value, "%Y%m%d")
    except ValueError:
        return False
    return True


def _example(kind: str, convention: NamingConvention) -> str:
    from .generate import example  # generate imports this module

    name = example(kind, convention)
    return f", e.g. {name}" if name else ""
