"""The events mlmeta takes, written once: what SageMaker, CloudTrail and EventBridge send (sources,
detail-types, the values of the fields the rules filter on) and which handler each goes to (the events
stack's EventBridge rules as data). The rules match these strings and the handlers' models
(``lambdas/mlmeta_runtime/events.py``) parse them; ``mlmeta.events.routes`` binds each route to the
``HandlerSpec`` of its target for the stack (``stacks/events_stack.py``) and ``mlmeta replay``, and a test
checks that the synthesized rules equal these routes.

The statuses are SageMaker's PipelineExecutionStatus and StepStatus enums as botocore's service model has
them (tests/runtime/test_status_contract.py keeps them equal; Lambda does not read botocore's model, whose
version may differ).

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

from mlmeta_contract.handlers import NAMING_GUARD, RECONCILER, SNAPSHOTTER, TAGGER

SAGEMAKER_SOURCE = "aws.sagemaker"
# EventBridge's schedule rules send "aws.events"; EventBridge Scheduler "aws.scheduler".
SCHEDULE_SOURCE = "aws.events"
SCHEDULER_SOURCE = "aws.scheduler"
# The lake bucket's EventBridge notifications, the compactor's late-object trigger.
S3_SOURCE = "aws.s3"
# The CloudTrail record's eventSource (and invokedBy of the calls SageMaker makes itself).
SAGEMAKER_EVENT_SOURCE = "sagemaker.amazonaws.com"

EXECUTION_STATUS_CHANGE = "SageMaker Model Building Pipeline Execution Status Change"
STEP_STATUS_CHANGE = "SageMaker Model Building Pipeline Execution Step Status Change"
CLOUDTRAIL_API_CALL = "AWS API Call via CloudTrail"
SCHEDULED_EVENT = "Scheduled Event"
OBJECT_CREATED = "Object Created"

EXECUTION_STATUSES = ("Executing", "Stopping", "Stopped", "Failed", "Succeeded", "CompletedWithFailures")
STARTED_STATUSES = ("Executing",)
# The statuses of an execution that no longer runs: its snapshots are taken then. CompletedWithFailures
# (some steps failed, the execution went on) is one: its metrics are as worth keeping as a failure's.
TERMINAL_STATUSES = ("Succeeded", "Failed", "Stopped", "CompletedWithFailures")
STEP_STATUSES = ("Starting", "Executing", "Stopping", "Stopped", "Failed", "Succeeded")

# The CloudTrail actions the naming guard judges.
GUARDED_ACTIONS = ("CreateExperiment", "CreateTrial", "CreateTrialComponent")


# --- The rules ---------------------------------------------------------------------------------

RECONCILER_SCHEDULE = "rate(1 hour)"
# The events an EventBridge schedule rule produces; replay routes them to the schedule's handler.
SCHEDULED_EVENT_PATTERN: Mapping[str, Any] = {"source": [SCHEDULE_SOURCE], "detail-type": [SCHEDULED_EVENT]}


@dataclass(frozen=True)
class RouteSpec:
    """One EventBridge rule: an event pattern or a schedule, and the name of the handler it invokes."""

    name: str  # the rule's construct id, e.g. ExecutionStarted
    description: str
    handler: str  # a handler's name: mlmeta_contract.handlers' TAGGER, NAMING_GUARD, ...
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
