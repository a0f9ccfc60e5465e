"""Per-environment configuration as typed code."""

from __future__ import annotations

from mlmeta.config.environments import DEFAULT_ENVIRONMENT, ENVIRONMENTS
from mlmeta.config.settings import EnvironmentSettings, RetentionSettings, UseCase


class UnknownEnvironmentError(ValueError):
    """Raised for an environment name that is not configured."""


def get_environment(name: str) -> EnvironmentSettings:
    """Return the settings of environment ``name`` or fail with one line naming the known ones."""
    try:
        return ENVIRONMENTS[name]
    except KeyError:
        known = ", ".join(ENVIRONMENTS)
        raise UnknownEnvironmentError(f"unknown environment {name!r}; known environments: {known}") from None


__all__ = [
    "DEFAULT_ENVIRONMENT",
    "ENVIRONMENTS",
    "EnvironmentSettings",
    "RetentionSettings",
    "UnknownEnvironmentError",
    "UseCase",
    "get_environment",
]
