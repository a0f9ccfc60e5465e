"""Tagging what SageMaker Pipelines creates, so anyone can find an execution's work by tags.

- Execution status ``Executing``: trial 1.1 (``{usecase}-{env}-{execution_id}``, created by Pipelines
  through ``PipelineExperimentConfig``) gets ``mlmeta:use-case``, ``mlmeta:environment``,
  ``mlmeta:kind=environment-trial`` (the naming kind, as every mlmeta entity's ``mlmeta:kind``) and
  ``mlmeta:pipeline-execution-arn``. Pipelines creates the trial shortly after the event, so the
  tagger waits for it with bounded backoff and raises when it never appears (Lambda retries, then
  the on-failure destination keeps the event).
- Step status change of a step that runs a job: the job's own trial component
  (``<job-name>-aws-<type>-job``) gets ``mlmeta:step`` (the step name) plus the use case, environment
  and execution ARN, so the snapshotter can tell which step produced it.

AddTags overwrites keys, so a repeated event changes nothing. Executions of pipelines that do not
follow the convention, or belong to another environment's deployment, are skipped with the reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mlmeta_contract.naming import NamingConvention
from mlmeta_contract.naming.tags import required_tags
from mlmeta_runtime.dispatch import handles
from mlmeta_runtime.errors import is_not_found
from mlmeta_runtime.events import PipelineExecutionStatusEvent, PipelineStepStatusEvent
from mlmeta_runtime.jobs import job_component_name
from mlmeta_runtime.pipelines import NotOurs, IdentifiedExecution, identify_execution
from mlmeta_runtime.retry import Backoff, with_backoff
from mlmeta_runtime.tags import TAG_ENVIRONMENT, TAG_PIPELINE_EXECUTION_ARN, TAG_STEP, TAG_USE_CASE, tag_list

# 1 + 2 + 4 + 8 + 16 = 31 s of waiting at most: the tagger's timeout must leave room for it.
WAIT_FOR_CREATION = Backoff(attempts=6, first_delay=1.0, factor=2.0, max_delay=16.0)
ENVIRONMENT_TRIAL_KIND = "environment-trial"


@dataclass(frozen=True)
class TagResult:
    status: str  # tagged | skipped
    reason: str
    resource_arn: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason, "resource_arn": self.resource_arn, "tags": dict(self.tags)}


def skipped(reason: str) -> TagResult:
    return TagResult("skipped", reason)


@handles(PipelineExecutionStatusEvent)
def tag_environment_trial(
    sagemaker: Any,
    event: PipelineExecutionStatusEvent,
    *,
    convention: NamingConvention,
    environment: str,
    wait: Backoff = WAIT_FOR_CREATION,
    sleep: Callable[[float], None] = time.sleep,
) -> TagResult:
    detail = event.detail
    if detail.current_status != "Executing":
        return skipped(f"execution status {detail.current_status}: trial 1.1 is tagged when the execution starts (Executing)")
    try:
        execution = identify_execution(detail.pipeline_execution_arn, convention=convention, environment=environment)
    except NotOurs as err:
        return skipped(str(err))
    tags = {
        **required_tags(use_case=execution.use_case, environment=execution.environment, kind=ENVIRONMENT_TRIAL_KIND),
        TAG_PIPELINE_EXECUTION_ARN: execution.execution_arn,
    }
    return _tag_once_created(
        sagemaker,
        describe=lambda: sagemaker.describe_trial(TrialName=execution.environment_trial),
        arn_field="TrialArn",
        missing=f"trial {execution.environment_trial} of execution {execution.execution_arn} does not exist",
        tags=tags,
        tagged=f"trial 1.1 {execution.environment_trial}",
        wait=wait,
        sleep=sleep,
    )


@handles(PipelineStepStatusEvent)
def tag_step_component(
    sagemaker: Any,
    event: PipelineStepStatusEvent,
    *,
    convention: NamingConvention,
    environment: str,
    wait: Backoff = WAIT_FOR_CREATION,
    sleep: Callable[[float], None] = time.sleep,
) -> TagResult:
    detail = event.detail
    job_arn = detail.metadata.job_arn
    if job_arn is None:
        return skipped(f"step {detail.step_name} ({detail.step_type or 'unknown type'}) runs no processing, training or transform job")
    try:
        execution = identify_execution(detail.pipeline_execution_arn, convention=convention, environment=environment)
    except NotOurs as err:
        return skipped(str(err))
    component_name = job_component_name(job_arn)
    return _tag_once_created(
        sagemaker,
        describe=lambda: sagemaker.describe_trial_component(TrialComponentName=component_name),
        arn_field="TrialComponentArn",
        missing=f"trial component {component_name} of job {job_arn} does not exist",
        tags=step_tags(execution, detail.step_name),
        tagged=f"component {component_name} of step {detail.step_name}",
        wait=wait,
        sleep=sleep,
    )


def _tag_once_created(
    sagemaker: Any,
    *,
    describe: Callable[[], Mapping[str, Any]],
    arn_field: str,
    missing: str,
    tags: Mapping[str, str],
    tagged: str,
    wait: Backoff,
    sleep: Callable[[float], None],
) -> TagResult:
    """Wait (bounded) for SageMaker to have created the resource, then tag it: it appears after the event."""
    resource = with_backoff(describe, retry_if=is_not_found, what=missing, backoff=wait, sleep=sleep)
    arn = resource[arn_field]
    sagemaker.add_tags(ResourceArn=arn, Tags=tag_list(tags))
    return TagResult("tagged", tagged, arn, dict(tags))


def step_tags(execution: IdentifiedExecution, step_name: str) -> dict[str, str]:
    return {
        TAG_STEP: step_name,
        TAG_USE_CASE: execution.use_case,
        TAG_ENVIRONMENT: execution.environment,
        TAG_PIPELINE_EXECUTION_ARN: execution.execution_arn,
    }
