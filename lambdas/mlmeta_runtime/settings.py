"""The handlers' configuration: environment variables read once per execution environment (at import),
checked, and exposed as one typed object. A missing or invalid variable fails the Lambda's init with
one line naming the variable, so a broken deployment shows at once instead of on the first event.

Each event handler declares what it needs as a subclass of ``HandlerSettings`` (its fields are the
variables it cannot run without, typed: ``str``, not ``str | None``) and loads it with ``from_environ``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import TypeVar

from mlmeta_contract.handlers import (
    ENVIRONMENT,
    LAKE_BUCKET,
    LOOKBACK_HOURS,
    METRICS_NAMESPACE,
    NOTICES_TOPIC_ARN,
    PIPELINE_NAMES,
    QUARANTINE_BUCKET,
    QUARANTINE_QUEUE_URL,
)
from mlmeta_contract.handlers import METRICS_NAMESPACE_VALUE as DEFAULT_METRICS_NAMESPACE
from mlmeta_contract.handlers import RECONCILER_LOOKBACK_HOURS as DEFAULT_LOOKBACK_HOURS
from mlmeta_contract.naming import CONVENTION_ENV_VAR, ConventionError, NamingConvention, resolve_convention, validate

# A month: CreatedAfter windows longer than this would make one run page through a long history.
MAX_LOOKBACK_HOURS = 24 * 31

_TEXT_VARIABLES = {
    LAKE_BUCKET: "the lake bucket's name",
    QUARANTINE_QUEUE_URL: "the quarantine queue's URL",
    QUARANTINE_BUCKET: "the bucket that keeps events too large for the quarantine queue (the lake bucket)",
    NOTICES_TOPIC_ARN: "the notices topic's ARN",
}


# The typed models' field for each variable a handler may need (load_settings' ``needs``).
_FIELD_VARIABLES = {
    "lake_bucket": LAKE_BUCKET,
    "quarantine_queue_url": QUARANTINE_QUEUE_URL,
    "quarantine_bucket": QUARANTINE_BUCKET,
    "notices_topic_arn": NOTICES_TOPIC_ARN,
    "pipeline_names": PIPELINE_NAMES,
}


class ConfigurationError(RuntimeError):
    """An environment variable is missing or invalid; the message names it."""


@dataclass(frozen=True)
class Settings:
    environment: str
    convention: NamingConvention
    metrics_namespace: str
    # None unless the handler asked for it (load_settings' ``needs``).
    lake_bucket: str | None = None
    quarantine_queue_url: str | None = None
    quarantine_bucket: str | None = None
    notices_topic_arn: str | None = None
    # The reconciler's pipelines and look-back window.
    pipeline_names: tuple[str, ...] = ()
    lookback_hours: int = DEFAULT_LOOKBACK_HOURS


H = TypeVar("H", bound="HandlerSettings")


@dataclass(frozen=True)
class HandlerSettings:
    """What every event handler needs: the naming convention, its environment and the quarantine.
    A handler that needs more subclasses it with more fields (a frozen dataclass)."""

    environment: str
    convention: NamingConvention
    metrics_namespace: str
    quarantine_queue_url: str
    quarantine_bucket: str

    @classmethod
    def needs(cls) -> tuple[str, ...]:
        """The environment variables this model's fields make required."""
        return tuple(_FIELD_VARIABLES[f.name] for f in fields(cls) if f.name in _FIELD_VARIABLES)

    @classmethod
    def from_environ(cls: type[H], environ: Mapping[str, str] | None = None) -> H:
        """The model from ``environ`` (default: the process environment); ConfigurationError names the
        first missing or invalid variable."""
        loaded = load_settings(environ, needs=cls.needs())
        return cls(**{f.name: getattr(loaded, f.name) for f in fields(cls)})


def load_settings(environ: Mapping[str, str] | None = None, *, needs: Iterable[str] = ()) -> Settings:
    """Settings from ``environ`` (default: the process environment); ``needs`` lists the variables
    this handler cannot run without (ENVIRONMENT is always needed)."""
    environ = os.environ if environ is None else environ
    needs = set(needs)
    unknown = needs - set(_TEXT_VARIABLES) - {PIPELINE_NAMES}
    if unknown:
        raise ValueError(f"load_settings: unknown variable(s) {sorted(unknown)}")
    try:
        convention = resolve_convention(environ=environ)
    except ConventionError as err:
        raise ConfigurationError(f"{CONVENTION_ENV_VAR}: {err}") from None
    environment = _required(environ, ENVIRONMENT, "the deployment environment (dev, stg, prod, ...)")
    if environment not in convention.environments:
        raise ConfigurationError(
            f"{ENVIRONMENT}={environment!r} is not an environment of the naming convention ({', '.join(convention.environments)})"
        )
    texts = {
        name: _required(environ, name, meaning) if name in needs else (environ.get(name) or None)
        for name, meaning in _TEXT_VARIABLES.items()
    }
    return Settings(
        environment=environment,
        convention=convention,
        metrics_namespace=environ.get(METRICS_NAMESPACE) or DEFAULT_METRICS_NAMESPACE,
        lake_bucket=texts[LAKE_BUCKET],
        quarantine_queue_url=texts[QUARANTINE_QUEUE_URL],
        quarantine_bucket=texts[QUARANTINE_BUCKET],
        notices_topic_arn=texts[NOTICES_TOPIC_ARN],
        pipeline_names=_pipeline_names(environ, environment, convention) if PIPELINE_NAMES in needs else (),
        lookback_hours=_lookback_hours(environ),
    )


def _required(environ: Mapping[str, str], name: str, meaning: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"{name} is not set: it must hold {meaning}")
    return value


def _pipeline_names(environ: Mapping[str, str], environment: str, convention: NamingConvention) -> tuple[str, ...]:
    text = _required(environ, PIPELINE_NAMES, 'a JSON list of pipeline names, e.g. ["churn-prediction-dev"]')
    try:
        names = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigurationError(f"{PIPELINE_NAMES} is not valid JSON: {err}") from None
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ConfigurationError(f"{PIPELINE_NAMES} must be a JSON list of strings, got {text!r}")
    for name in names:
        verdict = validate("pipeline", name, convention)
        if not verdict.compliant:
            raise ConfigurationError(f"{PIPELINE_NAMES}: {name!r} is not a compliant pipeline name [{verdict.rule}]: {verdict.reason}")
        if verdict.parts["env"] != environment:
            raise ConfigurationError(f"{PIPELINE_NAMES}: {name!r} belongs to {verdict.parts['env']}, not to {ENVIRONMENT}={environment}")
    return tuple(dict.fromkeys(names))


def _lookback_hours(environ: Mapping[str, str]) -> int:
    text = environ.get(LOOKBACK_HOURS, "").strip()
    if not text:
        return DEFAULT_LOOKBACK_HOURS
    if not text.isdigit() or not 1 <= int(text) <= MAX_LOOKBACK_HOURS:
        raise ConfigurationError(f"{LOOKBACK_HOURS} must be a whole number of hours from 1 to {MAX_LOOKBACK_HOURS}, got {text!r}")
    return int(text)
