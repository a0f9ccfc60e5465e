"""Which events go to which handler: the events stack's EventBridge rules as data.

The stack (``stacks/events_stack.py``) turns each route into a rule with that pattern (or schedule) and
its handler's function as the target; ``mlmeta replay`` matches events against the same patterns
(``mlmeta.events.routes`` binds each route to its ``HandlerSpec``). So a change here changes both, and a
test checks that the synthesized rules equal these routes.

Decisions (docs/events.md):

- Pipeline rules name the environment's own pipelines (``detail.pipelineArn`` ends in
  ``:pipeline/<name>``), so an account shared by dev, stg and prod does not invoke every
  environment's Lambdas for every pipeline; the handlers re-check anyway.
- Statuses the handlers do not know (a status SageMaker adds one day) are not dropped by the rules:
  ``ExecutionStatusUnknown`` sends every execution status other than the six of SageMaker's API to the
  snapshotter, which quarantines it as malformed, so the quarantine alarm tells someone. Step
  status changes are not filtered by status at all, so the tagger sees unknown step statuses too.
- The reconciler runs on a schedule rule (EventBridge's "Scheduled Event", which its handler parses),
  not EventBridge Scheduler (whose events have another shape).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlmeta_contract.events.detail_types import (
    CLOUDTRAIL_API_CALL,
    EXECUTION_STATUS_CHANGE,
    EXECUTION_STATUSES,
    GUARDED_ACTIONS,
    SAGEMAKER_EVENT_SOURCE,
    SAGEMAKER_SOURCE,
    SCHEDULE_SOURCE,
    SCHEDULED_EVENT,
    STARTED_STATUSES,
    STEP_STATUS_CHANGE,
    TERMINAL_STATUSES,
)
from mlmeta_contract.events.environment import NAMING_GUARD, RECONCILER, SNAPSHOTTER, TAGGER

RECONCILER_SCHEDULE = "rate(1 hour)"
# The events an EventBridge schedule rule produces; replay routes them to the schedule's handler.
SCHEDULED_EVENT_PATTERN: Mapping[str, Any] = {"source": [SCHEDULE_SOURCE], "detail-type": [SCHEDULED_EVENT]}


@dataclass(frozen=True)
class RouteSpec:
    """One EventBridge rule: an event pattern or a schedule, and the name of the handler it invokes."""

    name: str  # the rule's construct id, e.g. ExecutionStarted
    description: str
    handler: str  # mlmeta_contract.events.environment's TAGGER, NAMING_GUARD, ...
    pattern: Mapping[str, Any] | None = None
    schedule: str | None = None

    def __post_init__(self) -> None:
        if (self.pattern is None) == (self.schedule is None):
            raise ValueError(f"route {self.name}: give an event pattern or a schedule, not both or neither")

    @property
    def replay_pattern(self) -> Mapping[str, Any]:
        """The pattern replay matches events with: the rule's own, or the shape of a schedule's events."""
        return self.pattern if self.pattern is not None else SCHEDULED_EVENT_PATTERN


def route_specs(pipeline_names: Sequence[str]) -> tuple[RouteSpec, ...]:
    """The rules of the environment whose pipelines are ``pipeline_names``, in deployment order."""
    pipelines = {"pipelineArn": [{"suffix": f":pipeline/{name}"} for name in pipeline_names]}

    def execution_status(statuses: list[Any]) -> dict[str, Any]:
        return {
            "source": [SAGEMAKER_SOURCE],
            "detail-type": [EXECUTION_STATUS_CHANGE],
            "detail": {"currentPipelineExecutionStatus": statuses, **pipelines},
        }

    return (
        RouteSpec(
            name="ExecutionStarted",
            description="A pipeline execution of this environment started: tag its environment trial",
            handler=TAGGER,
            pattern=execution_status(list(STARTED_STATUSES)),
        ),
        RouteSpec(
            name="StepStatusChanged",
            description="A step of a pipeline execution of this environment changed status: tag its job's trial component",
            handler=TAGGER,
            pattern={"source": [SAGEMAKER_SOURCE], "detail-type": [STEP_STATUS_CHANGE], "detail": dict(pipelines)},
        ),
        RouteSpec(
            name="ExecutionFinished",
            description="A pipeline execution of this environment succeeded, failed, stopped or completed with failures: snapshot its metrics",
            handler=SNAPSHOTTER,
            pattern=execution_status(list(TERMINAL_STATUSES)),
        ),
        RouteSpec(
            name="ExecutionStatusUnknown",
            description="A pipeline execution status the handlers do not know: the snapshotter quarantines it",
            handler=SNAPSHOTTER,
            pattern=execution_status([{"anything-but": list(EXECUTION_STATUSES)}]),
        ),
        RouteSpec(
            name="ExperimentEntityCreated",
            description="An experiment, trial or trial component was created (CloudTrail): judge its name",
            handler=NAMING_GUARD,
            pattern={
                "source": [SAGEMAKER_SOURCE],
                "detail-type": [CLOUDTRAIL_API_CALL],
                "detail": {"eventSource": [SAGEMAKER_EVENT_SOURCE], "eventName": list(GUARDED_ACTIONS)},
            },
        ),
        RouteSpec(
            name="ReconcileSchedule",
            description="Hourly: snapshot finished executions that have none, sweep names created since the last sweep",
            handler=RECONCILER,
            schedule=RECONCILER_SCHEDULE,
        ),
    )
