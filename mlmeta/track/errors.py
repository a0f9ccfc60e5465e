"""The errors of ``mlmeta.track``: each a one-line message that names the bad value and what to do."""

from __future__ import annotations


class TrackingError(ValueError):
    """Base of every refusal and failure of ``mlmeta.track``."""


class NameRefused(TrackingError):
    """A part of an EDA name is off the naming convention; raised before any AWS or MLflow call.

    ``part`` is the offending part (use_case, topic, run, user, date), ``rule`` the convention's rule it
    breaks (``mlmeta_contract.naming.Rule`` wording: uppercase, invalid-characters, ...)."""

    def __init__(self, message: str, part: str | None, rule: str) -> None:
        super().__init__(message)
        self.part = part
        self.rule = rule


class BackendError(TrackingError):
    """The tracking backend refused or could not be reached; the message says which call and why."""
