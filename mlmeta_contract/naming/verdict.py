"""The result of checking one name: compliant or not, a machine-readable rule and a human reason."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


# str + Enum rather than StrEnum (3.11+): the pipeline's step code imports this package inside
# SageMaker's framework containers, which run Python 3.8 to 3.10.
class Rule(str, Enum):
    """Machine-readable outcome of a check: stable strings for audit records, tags and alarms."""

    COMPLIANT = "compliant"
    EMPTY = "empty"
    TOO_LONG = "too-long"
    UPPERCASE = "uppercase"
    INVALID_CHARACTERS = "invalid-characters"
    MISSING_KIND_WORD = "missing-kind-word"
    UNKNOWN_ENV = "unknown-env"
    BAD_EXECUTION_ID = "bad-execution-id"
    BAD_DATE = "bad-date"
    WRONG_SHAPE = "wrong-shape"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Verdict:
    compliant: bool
    kind: str
    name: str
    rule: Rule
    reason: str
    # The name's parts (use_case, env, ...) when compliant; empty otherwise.
    parts: Mapping[str, str] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        """The audit table's wording: compliant | violation."""
        return "compliant" if self.compliant else "violation"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "verdict": self.verdict,
            "compliant": self.compliant,
            "rule": str(self.rule),
            "reason": self.reason,
            "parts": dict(self.parts),
        }
