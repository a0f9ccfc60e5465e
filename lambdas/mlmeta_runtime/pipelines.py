"""Which pipeline execution an event is about, read through the naming convention: its use case and
environment, and the names of its experiment and trials 1.1 and 1.2.

A pipeline that does not follow the convention, or belongs to another environment's deployment, is
not malformed (SageMaker sent a valid event): ``identify_execution`` raises ``NotOurs`` with the
reason, and the handler logs it and skips the event.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlmeta_contract.naming import NamingConvention, NamingError, new, validate
from mlmeta_runtime.events import EXECUTION_ARN_RE


class NotOurs(Exception):
    """The execution is not one this deployment handles; the message says why."""


@dataclass(frozen=True)
class IdentifiedExecution:
    """A pipeline execution of this deployment, identified from its ARN, with the names the convention gives its records."""

    use_case: str
    environment: str
    pipeline_name: str
    execution_id: str
    execution_arn: str
    experiment_name: str
    environment_trial: str  # trial 1.1, created by Pipelines
    analysis_trial: str  # trial 1.2, created by the pipeline's evaluation step


def identify_execution(execution_arn: str, *, convention: NamingConvention, environment: str) -> IdentifiedExecution:
    match = EXECUTION_ARN_RE.fullmatch(execution_arn)
    if match is None:
        raise NotOurs(f"{execution_arn!r} is not a pipeline execution ARN")
    pipeline_name, execution_id = match["pipeline_name"], match["execution_id"]
    verdict = validate("pipeline", pipeline_name, convention)
    if not verdict.compliant:
        raise NotOurs(f"pipeline {pipeline_name!r} does not follow the naming convention [{verdict.rule}]: {verdict.reason}")
    use_case, env = verdict.parts["use_case"], verdict.parts["env"]
    if env != environment:
        raise NotOurs(f"pipeline {pipeline_name!r} belongs to environment {env!r}; this deployment handles {environment!r}")
    try:
        names = {
            kind: new(kind, use_case=use_case, env=env, execution_id=execution_id, convention=convention)
            for kind in ("environment-trial", "analysis-trial")
        }
        experiment = new("pipeline-experiment", use_case=use_case, env=env, convention=convention)
    except NamingError as err:
        raise NotOurs(f"execution {execution_arn!r}: no convention names for it: {err}") from None
    return IdentifiedExecution(
        use_case=use_case,
        environment=env,
        pipeline_name=pipeline_name,
        execution_id=execution_id,
        execution_arn=execution_arn,
        experiment_name=experiment,
        environment_trial=names["environment-trial"],
        analysis_trial=names["analysis-trial"],
    )
