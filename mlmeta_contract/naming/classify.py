"""Which kind is a name? For the naming guard, which sees names without knowing their kind.

A name can read as more than one kind: ``churn-eda-prod`` is both the pipeline of use case
``churn-eda`` in prod and the EDA experiment of user ``prod``. The most specific reading (the one
with the most fixed words) wins; when the best readings tie, classify() says so instead of guessing.
Passing the SageMaker resource type (experiment, experiment-trial, ...) removes most ties. A bare
use case such as ``churn-prediction`` is no kind at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from .check import validate
from .convention import DEFAULT_CONVENTION, NamingConvention
from .verdict import Verdict
from .vocabulary import KINDS, RESOURCE_TYPES


@dataclass(frozen=True)
class Classification:
    name: str
    # The one best-matching kind; None when no kind matches or the best readings tie.
    kind: str | None
    # Every compliant reading, most specific first.
    candidates: tuple[Verdict, ...]
    # The verdict of every kind checked, in the convention's kind order (reasons for a non-match).
    checked: tuple[Verdict, ...]

    @property
    def compliant(self) -> bool:
        """The name follows the convention in at least one reading."""
        return bool(self.candidates)

    @property
    def ambiguous(self) -> bool:
        return self.kind is None and len(self.candidates) > 1

    @property
    def reason(self) -> str:
        if self.ambiguous:
            readings = "; ".join(f"{v.kind} {_parts_text(v)}" for v in self.candidates)
            return f"ambiguous: reads equally well as {readings}"
        if self.kind is not None:
            others = ", ".join(v.kind for v in self.candidates[1:])
            return f"{self.kind} {_parts_text(self.candidates[0])}" + (f" (less specific readings: {others})" if others else "")
        return "matches no kind: " + "; ".join(f"{v.kind}: {v.reason}" for v in self.checked)


def classify(name: str, resource_type: str | None = None, convention: NamingConvention = DEFAULT_CONVENTION) -> Classification:
    """The best-matching kind of ``name``, among the kinds of ``resource_type`` if given."""
    kinds = _kinds_of(resource_type)
    checked = tuple(validate(kind, name, convention) for kind in kinds)
    candidates = sorted((v for v in checked if v.compliant), key=lambda v: -convention.compiled(v.kind).specificity)
    best = None
    if candidates:
        top = convention.compiled(candidates[0].kind).specificity
        tied = [v for v in candidates if convention.compiled(v.kind).specificity == top]
        best = candidates[0].kind if len(tied) == 1 else None
    return Classification(name, best, tuple(candidates), checked)


def kinds_of(resource_type: str) -> tuple[str, ...]:
    """The kinds that name a SageMaker resource type (pipeline, experiment, experiment-trial, ...)."""
    kinds = tuple(kind for kind in KINDS if RESOURCE_TYPES[kind] == resource_type)
    if not kinds:
        known = ", ".join(dict.fromkeys(RESOURCE_TYPES.values()))
        raise ValueError(f"unknown resource type {resource_type!r}; known: {known}")
    return kinds


def _kinds_of(resource_type: str | None) -> tuple[str, ...]:
    return KINDS if resource_type is None else kinds_of(resource_type)


def _parts_text(verdict: Verdict) -> str:
    return "(" + ", ".join(f"{part}={value}" for part, value in verdict.parts.items()) + ")"
