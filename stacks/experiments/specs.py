"""Which SageMaker experiments an environment provisions, derived from its config: one per use case for
the pipeline, and one per use case and EDA user where the environment hosts EDA. Pure: no constructs,
so the naming decisions are testable without a synth."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from mlmeta.config import EnvironmentSettings, UseCase
from mlmeta_contract.naming import NamingConvention
from mlmeta_contract.naming.tags import required_tags
from stacks.common.compliant_names import compliant_name

PIPELINE_EXPERIMENT = "pipeline-experiment"
EDA_EXPERIMENT = "eda-experiment"


@dataclass(frozen=True)
class ExperimentSpec:
    # Construct ids: (use case, role in the use case). They decide the custom resource's logical ID,
    # so they must not depend on the name: a renamed experiment is an Update, never a new resource.
    scope_id: str
    construct_id: str
    kind: str
    name: str
    use_case: str
    description: str
    tags: Mapping[str, str]


def experiment_specs(
    settings: EnvironmentSettings
) -> tuple[ExperimentSpec, ...]:
    """Every experiment of ``settings``, names checked against ``settings.convention`` (NonCompliantName if not)."""
    _refuse_duplicates("use case", [use_case.name for use_case in settings.use_cases], f"environment {settings.name}")
    specs = []
    for use_case in settings.use_cases:
        specs.append(_pipeline_experiment(settings, use_case, settings.convention))
        if settings.hosts_eda_experiments:
            _refuse_duplicates("EDA user", list(use_case.eda_users), f"use case {use_case.name!r}")
            specs += [_eda_experiment(settings, use_case, user, settings.convention) for user in use_case.eda_users]
    _refuse_duplicates("experiment name", [spec.name for spec in specs], f"environment {settings.name}")
    return tuple(specs)


def _pipeline_experiment(settings: EnvironmentSettings, use_case: UseCase, convention: NamingConvention) -> ExperimentSpec:
    name = compliant_name(
        PIPELINE_EXPERIMENT,
        use_case=use_case.name,
        env=settings.name,
        convention=convention,
        source=f"environment {settings.name}, use case {use_case.name!r}",
    )
    return ExperimentSpec(
        scope_id=use_case.name,
        construct_id="PipelineExperiment",
        kind=PIPELINE_EXPERIMENT,
        name=name,
        use_case=use_case.name,
        description=f"Executions of the {use_case.name} pipeline in {settings.name}: one environment trial and "
        "one analysis trial per execution. Provisioned by mlmeta; never deleted automatically.",
        tags=required_tags(use_case=use_case.name, environment=settings.name, kind=PIPELINE_EXPERIMENT),
    )


def _eda_experiment(
    settings: EnvironmentSettings, use_case: UseCase, user: str, convention: NamingConvention
) -> ExperimentSpec:
    name = compliant_name(
        EDA_EXPERIMENT,
        use_case=use_case.name,
        user=user,
        convention=convention,
        source=f"environment {settings.name}, use case {use_case.name!r}, eda_users entry {user!r}",
    )
    return ExperimentSpec(
        scope_id=use_case.name,
        construct_id=f"EdaExperiment-{user}",
        kind=EDA_EXPERIMENT,
        name=name,
        use_case=use_case.name,
        description=f"Exploratory work of {user} on {use_case.name}: one dated trial per topic. "
        "Provisioned by mlmeta; never deleted automatically.",
        tags=required_tags(use_case=use_case.name, environment=settings.name, kind=EDA_EXPERIMENT),
    )


def _refuse_duplicates(what: str, values: list[str], where: str) -> None:
    repeated = sorted(value for value, count in Counter(values).items() if count > 1)
    if repeated:
        raise ValueError(f"{where} lists {what} {repeated[0]!r} more than once")
