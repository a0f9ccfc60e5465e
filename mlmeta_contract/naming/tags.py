"""The tags the convention requires on every experiment, trial and trial component this system creates
or adopts (docs/design.md §3). One place for the keys, shared by the stacks and the Lambdas."""

from __future__ import annotations

TAG_USE_CASE = "mlmeta:use-case"
TAG_ENVIRONMENT = "mlmeta:environment"
# The naming kind of the entity: pipeline-experiment, eda-experiment, analysis-trial, ...
TAG_KIND = "mlmeta:kind"
# On pipeline trials only: the execution that produced them.
TAG_PIPELINE_EXECUTION_ARN = "mlmeta:pipeline-execution-arn"
# The naming check's verdict: compliant | violation.
TAG_NAMING = "mlmeta:naming"

REQUIRED_TAGS = (TAG_USE_CASE, TAG_ENVIRONMENT, TAG_KIND)
# How many metrics the evaluate step logs, recorded before them: a parameter of its SageMaker trial
# component, a tag of its MLflow run; the snapshotter holds a snapshot incomplete until it has them all.
METRICS_LOGGED = "mlmeta:metrics-logged"


def required_tags(*, use_case: str, environment: str, kind: str) -> dict[str, str]:
    """The tags every entity carries, in REQUIRED_TAGS order."""
    return {TAG_USE_CASE: use_case, TAG_ENVIRONMENT: environment, TAG_KIND: kind}
