"""The names and tags of one EDA run by the convention (docs/design.md §3): experiment
``{usecase}-eda-{user}``, trial ``{experiment}-{yyyymmdd}-{topic}``, component ``{trial}-{run}``.

Every part is checked here, before any AWS or MLflow call: an off-convention part is a NameRefused
naming the part, the rule it breaks and the kind's pattern, and nothing is created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date as Date, datetime

from mlmeta.config import ENVIRONMENTS, EnvironmentSettings
from mlmeta_contract.naming import NamingConvention, NamingError, Rule, example, new, validate
from mlmeta_contract.naming.generate import EXAMPLE_PARTS
from mlmeta_contract.naming.tags import required_tags
from mlmeta_contract.naming.vocabulary import FIELDS_BY_PART
from mlmeta.track.errors import NameRefused, TrackingError

EXPERIMENT, TRIAL, COMPONENT = "eda-experiment", "eda-trial", "eda-component"
# A run named by mlmeta.track itself: run1, run2, ... (the convention's {run} is one word).
AUTO_RUN_PREFIX = "run"
# Not a naming rule: the use case is well formed but no environment's config knows it (a typo would
# otherwise create an experiment nobody looks at).
UNKNOWN_USE_CASE = "unknown-use-case"


@dataclass(frozen=True)
class EdaNames:
    """One run's names, all compliant; ``environment`` is the configured environment hosting the EDA."""

    use_case: str
    user: str
    topic: str
    date: str  # YYYYMMDD
    run: str
    environment: str
    experiment: str
    trial: str
    component: str

    def tags(self, kind: str) -> dict[str, str]:
        """The convention's required tags of the entity of ``kind``."""
        return required_tags(use_case=self.use_case, environment=self.environment, kind=kind)

    def with_run(self, run: str, convention: NamingConvention) -> EdaNames:
        return eda_names(self.use_case, self.user, self.topic, run, self.date, self.environment, convention)


# How many runN a new run tries past the first free one it counted (others may be creating runs too).
AUTO_RUN_ATTEMPTS = 50


def auto_run(number: int) -> str:
    return f"{AUTO_RUN_PREFIX}{number}"


def eda_names(
    use_case: str,
    user: str,
    topic: str,
    run: str,
    date: str | Date | None,
    environment: str,
    convention: NamingConvention,
) -> EdaNames:
    """The names of the run, or NameRefused for the first part off the convention."""
    parts = {"use_case": use_case, "user": user, "topic": topic, "date": date}
    experiment = _named(EXPERIMENT, {"use_case": use_case, "user": user}, convention)
    trial = _named(TRIAL, parts, convention)
    component = _named(COMPONENT, {**parts, "run": run}, convention)
    day = validate(TRIAL, trial, convention).parts["date"]
    return EdaNames(use_case, user, topic, day, run, environment, experiment, trial, component)


def check_parts(
    use_case: str, topic: str, run: str | None, user: str | None, date: str | Date | None, convention: NamingConvention
) -> None:
    """NameRefused for the first of the caller's parts off the convention; the user and run, when not
    given, are checked later (the caller's identity, the next free run), so an example stands in."""
    eda_names(use_case, user or EXAMPLE_PARTS["user"], topic, run or auto_run(1), date, "-", convention)


def eda_environment(env: str | None, use_case: str) -> EnvironmentSettings:
    """The configured environment the EDA runs in: ``env``, or the one environment that hosts EDA
    experiments (mlmeta/config/environments.py); it must know ``use_case``."""
    if env is not None:
        if env not in ENVIRONMENTS:
            raise TrackingError(f"unknown environment {env!r}; known environments: {', '.join(ENVIRONMENTS)}")
        settings = ENVIRONMENTS[env]
    else:
        hosts = [s for s in ENVIRONMENTS.values() if s.hosts_eda_experiments]
        if len(hosts) != 1:
            found = ", ".join(s.name for s in hosts) or "none"
            raise TrackingError(f"pass env=NAME: EDA runs in the environment that hosts EDA experiments, and the config has {found}")
        settings = hosts[0]
    known = [u.name for u in settings.use_cases]
    if use_case not in known:
        raise NameRefused(
            f"use case {use_case!r} is not a use case of the {settings.name} environment (mlmeta/config/environments.py); "
            f"its use cases: {', '.join(known) or 'none'}; nothing was created",
            "use_case",
            UNKNOWN_USE_CASE,
        )
    return settings


def _named(kind: str, parts: dict[str, str | Date | None], convention: NamingConvention) -> str:
    try:
        return new(kind, convention=convention, **parts)  # type: ignore[arg-type]
    except NamingError as err:
        compiled = convention.compiled(kind)
        rule = _rule(kind, parts, convention)
        shown = example(kind, convention)
        raise NameRefused(
            f"{err} [{rule}]: {kind} names are {compiled.display}{f', e.g. {shown}' if shown else ''}; nothing was created",
            err.part,
            rule,
        ) from None


def _rule(kind: str, parts: dict[str, str | Date | None], convention: NamingConvention) -> str:
    """The rule the name written from the raw parts breaks; wrong-shape when it reads as another name."""
    compiled = convention.compiled(kind)
    values = {}
    for part, value in parts.items():
        if part == "date" and value is None:
            value = datetime.now(UTC).date()
        if isinstance(value, Date):
            value = value.strftime("%Y%m%d")
        values[FIELDS_BY_PART[part].placeholder] = value if isinstance(value, str) else "x"
    try:
        verdict = validate(kind, compiled.render(values), convention)
    except KeyError:  # a part the convention's pattern does not use
        return str(Rule.WRONG_SHAPE)
    return str(Rule.WRONG_SHAPE if verdict.compliant else verdict.rule)
