"""The naming convention applied to MLflow, whose hierarchy is one level shorter than SageMaker's.

SageMaker: experiment > trial > trial component (which holds the parameters and metrics).
MLflow:    experiment > run (which holds them).

- the MLflow experiment is named as the SageMaker experiment (``pipeline-experiment``, ``eda-experiment``);
- the run is named as the trial component (``analysis-component``, ``eda-component``): the unit that
  holds the metrics, the name every lake row and named query already carries;
- the trial the component would belong to survives as the run's tag ``mlmeta:trial``;
- the convention's required tags (``mlmeta:use-case``, ``mlmeta:environment``, ``mlmeta:kind``) go on
  the experiment (its kind) and on the run (the component's kind), and a pipeline run carries the
  execution's ARN (``mlmeta:pipeline-execution-arn``): the snapshotter finds an execution's runs by it.

Every name comes from ``mlmeta_contract.naming.new``, so an off-convention part fails here, before MLflow is called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as Date

from mlmeta_contract.naming import DEFAULT_CONVENTION, NamingConvention, new
from mlmeta_contract.naming.tags import METRICS_LOGGED, TAG_PIPELINE_EXECUTION_ARN, required_tags

# The SageMaker trial a run stands for (MLflow has no trials).
TAG_TRIAL = "mlmeta:trial"
# Set on the run when it is created, before its metrics: how many it logs (the snapshotter's completeness
# check, as the SageMaker component's parameter of the same name; pipelines/common/mlflow_tracking.py).
TAG_METRICS_LOGGED = METRICS_LOGGED
# A run's input and output artifacts (SageMaker components have them, MLflow runs do not): one tag each.
TAG_INPUT_ARTIFACT_PREFIX = "mlmeta:input-artifact:"
TAG_OUTPUT_ARTIFACT_PREFIX = "mlmeta:output-artifact:"


@dataclass(frozen=True)
class MlflowNames:
    """What one run is called in MLflow and the tags its experiment and the run carry."""

    experiment_name: str
    run_name: str
    trial_name: str
    experiment_tags: dict[str, str] = field(default_factory=dict)
    run_tags: dict[str, str] = field(default_factory=dict)


def pipeline_run_names(
    *,
    use_case: str,
    env: str,
    execution_id: str,
    execution_arn: str,
    step: str,
    convention: NamingConvention = DEFAULT_CONVENTION,
) -> MlflowNames:
    """The evaluate step's run of one pipeline execution (SageMaker's trial 1.2 and its component)."""
    parts = {"use_case": use_case, "env": env, "convention": convention}
    trial = new("analysis-trial", execution_id=execution_id, **parts)
    run_tags = {
        **required_tags(use_case=use_case, environment=env, kind="analysis-component"),
        TAG_TRIAL: trial,
        TAG_PIPELINE_EXECUTION_ARN: execution_arn,
    }
    return MlflowNames(
        experiment_name=new("pipeline-experiment", **parts),
        run_name=new("analysis-component", execution_id=execution_id, step=step, **parts),
        trial_name=trial,
        experiment_tags=required_tags(use_case=use_case, environment=env, kind="pipeline-experiment"),
        run_tags=run_tags,
    )


def eda_run_names(
    *,
    use_case: str,
    env: str,
    user: str,
    topic: str,
    run: str,
    date: str | Date | None = None,
    convention: NamingConvention = DEFAULT_CONVENTION,
) -> MlflowNames:
    """A person's EDA run: experiment ``{usecase}-eda-{user}``, run ``{trial}-{run}``. ``env`` is where it
    is tracked (the EDA names do not contain it, the tags do)."""
    parts = {"use_case": use_case, "user": user, "convention": convention}
    trial = new("eda-trial", topic=topic, date=date, **parts)
    return MlflowNames(
        experiment_name=new("eda-experiment", **parts),
        run_name=new("eda-component", topic=topic, date=date, run=run, **parts),
        trial_name=trial,
        experiment_tags=required_tags(use_case=use_case, environment=env, kind="eda-experiment"),
        run_tags={**required_tags(use_case=use_case, environment=env, kind="eda-component"), TAG_TRIAL: trial},
    )


def execution_filter(execution_arn: str) -> str:
    """search_runs' filter for the runs of one pipeline execution (by the tag the step sets)."""
    if "'" in execution_arn:
        raise ValueError(f"execution ARN {execution_arn!r} contains a quote")
    return f"tags.`{TAG_PIPELINE_EXECUTION_ARN}` = '{execution_arn}'"
