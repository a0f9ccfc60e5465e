"""Errors of the naming module; every message is one line that says what to change."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .verdict import Verdict


class ConventionError(ValueError):
    """The naming-convention configuration itself is invalid."""


class NamingError(ValueError):
    """new() cannot build a name from the parts it was given; ``part`` names the offending one, if any."""

    def __init__(self, message: str, part: str | None = None) -> None:
        super().__init__(message)
        self.part = part


class NameViolation(ValueError):
    """parse() was given a name that does not follow the convention; ``verdict`` says why."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(f"{verdict.name!r} is not a compliant {verdict.kind} name: {verdict.reason}")
        self.verdict = verdict
