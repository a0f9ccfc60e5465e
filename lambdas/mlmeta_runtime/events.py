"""The events the handlers take, as pydantic models of their documented shapes (the EventBridge
envelope is Powertools' ``EventBridgeModel``), and ``parse_event``, which turns any input into one of
the models or a ``Malformed`` verdict naming the offending field. It never raises.

"Malformed" means "cannot be an event AWS sends as documented": a missing or mistyped field, an
unknown status, an ARN or name SageMaker itself would refuse (a 300-character pipeline name, a
non-ASCII step name). Names that SageMaker accepts but the naming convention does not are not
malformed: the handlers judge those.

The field sets are AWS's documented ones (tests/events/README.md lists the pages: SageMaker's
EventBridge events, the EventBridge envelope, CloudTrail's record contents); the models accept every
documented field and ignore the others. What a handler relies on that AWS does not document is marked
"Undocumented" where it is read.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Annotated, Any, ClassVar, Literal, Union

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from mlmeta_contract import events as contract_events
from mlmeta_contract.events import (
    CLOUDTRAIL_API_CALL,
    EXECUTION_STATUS_CHANGE,
    EXECUTION_STATUSES,
    SAGEMAKER_EVENT_SOURCE,
    SAGEMAKER_SOURCE,
    SCHEDULE_SOURCE,
    SCHEDULED_EVENT,
    SCHEDULER_SOURCE,
    STEP_STATUS_CHANGE,
    STEP_STATUSES,
    TERMINAL_STATUSES,
)

# The detail-types, sources and statuses are the contract's (the rules match the same strings).
ExecutionStatus = Literal[EXECUTION_STATUSES]  # type: ignore[valid-type] (a tuple of literals: Literal unpacks it)
StepStatus = Literal[STEP_STATUSES]  # type: ignore[valid-type]

# SageMaker's own limits (the API reference's patterns): pipeline names up to 256 characters, job names
# up to 63, experiment entity names up to 120. Undocumented: execution ids are lowercase letters and
# digits (the API's ARN pattern allows anything after "execution/"; every id seen is 12 of them), relied
# on because the id names the lake's snapshot objects.
_ENTITY_NAME = r"[a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,%d}"
_ARN_PREFIX = r"arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:"
EXECUTION_ARN_RE = re.compile(
    _ARN_PREFIX + r"pipeline/(?P<pipeline_name>" + _ENTITY_NAME % 255 + r")/execution/(?P<execution_id>[a-z0-9]{1,64})"
)
JOB_ARN_RE = re.compile(_ARN_PREFIX + r"(?P<job_type>processing|training|transform)-job/(?P<job_name>" + _ENTITY_NAME % 62 + ")")
EXPERIMENT_ENTITY_NAME_RE = re.compile(_ENTITY_NAME % 119)
STEP_NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")

# CloudTrail actions the naming guard checks: the SageMaker resource type (as in its ARN) and the
# API members naming it. Undocumented for these three actions: the requestParameters/responseElements
# keys. AWS's SageMaker CloudTrail examples (understanding-sagemaker-entries: CreateEndpoint's
# "endpointName" -> "endpointArn") carry the API members in lowerCamelCase, so these follow that
# pattern; lookups accept any letter case (``member``) in case a record differs.
GUARDED_ACTIONS: Mapping[str, tuple[str, str, str]] = dict(
    zip(
        contract_events.GUARDED_ACTIONS,
        (
            ("experiment", "experimentName", "experimentArn"),
            ("experiment-trial", "trialName", "trialArn"),
            ("experiment-trial-component", "trialComponentName", "trialComponentArn"),
        ),
        strict=True,
    )
)
GuardedAction = Literal[contract_events.GUARDED_ACTIONS]  # type: ignore[valid-type]
NO_EVENT_ID = "<no id>"


def _utc_time(value: object) -> datetime:
    """An ISO-8601 time with a zone, as UTC; anything else (epoch numbers, naive times) is refused."""
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError("expected an ISO-8601 time with a zone, such as 2026-01-02T09:18:24Z")
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("no zone")
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise ValueError(f"expected an ISO-8601 time with a zone, such as 2026-01-02T09:18:24Z, got {value!r}") from None


def _matching(regex: re.Pattern[str], meaning: str) -> AfterValidator:
    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(f"{_clip(value)!r} is not {meaning}")
        return value

    return AfterValidator(check)


UtcTime = Annotated[datetime, PlainValidator(_utc_time)]
EventId = Annotated[str, StringConstraints(min_length=1, max_length=256)]
ExecutionArn = Annotated[str, _matching(EXECUTION_ARN_RE, "a SageMaker pipeline execution ARN")]
JobArn = Annotated[str, _matching(JOB_ARN_RE, "a SageMaker processing, training or transform job ARN")]
StepName = Annotated[str, _matching(STEP_NAME_RE, "a pipeline step name (letters, digits, '-' and '_')")]
# CloudTrail's eventID is a GUID it generates (record contents page): letters, digits and hyphens.
CloudTrailEventId = Annotated[str, _matching(re.compile(r"[A-Za-z0-9-]{1,128}"), "a CloudTrail event id")]


class EventDetail(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class EventEnvelope(EventBridgeModel):
    """EventBridge's envelope with the id and time every handler relies on checked: the base of every
    event model, the shared ones here and one only a handler takes beside its function (dispatch.py)."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)
    DETAIL_TYPE: ClassVar[str]

    id: EventId  # noqa: A003 (the envelope's field name)
    time: UtcTime


# --- SageMaker Pipelines -----------------------------------------------------------------------


class PipelineExecutionStatusDetail(EventDetail):
    """The documented detail (SageMaker's EventBridge events page); pipelineExecutionDescription is not read."""

    current_status: ExecutionStatus = Field(alias="currentPipelineExecutionStatus")
    previous_status: str | None = Field(None, alias="previousPipelineExecutionStatus")
    execution_start_time: UtcTime | None = Field(None, alias="executionStartTime")
    execution_end_time: UtcTime | None = Field(None, alias="executionEndTime", validate_default=True)
    pipeline_arn: str | None = Field(None, alias="pipelineArn")
    pipeline_execution_arn: ExecutionArn = Field(alias="pipelineExecutionArn")
    display_name: str | None = Field(None, alias="pipelineExecutionDisplayName")

    @field_validator("execution_end_time")
    @classmethod
    def _finished_execution_has_an_end(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        # The snapshot's partition is the end's date: a finished execution without one cannot be stored.
        # Undocumented: that every finished status's event carries it (AWS's example is a Succeeded one).
        if value is None and info.data.get("current_status") in TERMINAL_STATUSES:
            raise ValueError("executionEndTime is required when the execution has finished")
        return value

    @property
    def finished(self) -> bool:
        return self.current_status in TERMINAL_STATUSES


class PipelineExecutionStatusEvent(EventEnvelope):
    DETAIL_TYPE: ClassVar[str] = EXECUTION_STATUS_CHANGE
    source: Literal[SAGEMAKER_SOURCE]
    detail_type: Literal[EXECUTION_STATUS_CHANGE] = Field(alias="detail-type")
    detail: PipelineExecutionStatusDetail


class JobReference(EventDetail):
    arn: JobArn


class StepMetadata(EventDetail):
    """The step's job, if it runs one (other steps carry other keys, ignored here). AWS's example shows
    ``processingJob.arn``; undocumented: ``trainingJob`` and ``transformJob``, taken to be the
    lowerCamelCase of the API's PipelineExecutionStepMetadata members as ``processingJob`` is."""

    processing_job: JobReference | None = Field(None, alias="processingJob")
    training_job: JobReference | None = Field(None, alias="trainingJob")
    transform_job: JobReference | None = Field(None, alias="transformJob")

    @property
    def job_arn(self) -> str | None:
        job = self.processing_job or self.training_job or self.transform_job
        return job.arn if job else None


class PipelineStepStatusDetail(EventDetail):
    step_name: StepName = Field(alias="stepName")
    step_type: str | None = Field(None, alias="stepType")
    current_status: StepStatus = Field(alias="currentStepStatus")
    pipeline_execution_arn: ExecutionArn = Field(alias="pipelineExecutionArn")
    metadata: StepMetadata = Field(default_factory=StepMetadata)


class PipelineStepStatusEvent(EventEnvelope):
    DETAIL_TYPE: ClassVar[str] = STEP_STATUS_CHANGE
    source: Literal[SAGEMAKER_SOURCE]
    detail_type: Literal[STEP_STATUS_CHANGE] = Field(alias="detail-type")
    detail: PipelineStepStatusDetail


# --- CloudTrail --------------------------------------------------------------------------------


class UserIdentity(EventDetail):
    type: str | None = None  # noqa: A003 (CloudTrail's field name)
    arn: str | None = None
    invoked_by: str | None = Field(None, alias="invokedBy")


class CloudTrailDetail(EventDetail):
    # Declared before the fields whose validators read them (pydantic validates in order).
    event_name: GuardedAction = Field(alias="eventName")
    event_source: Literal[SAGEMAKER_EVENT_SOURCE] = Field(alias="eventSource")
    event_time: UtcTime = Field(alias="eventTime")
    event_id: CloudTrailEventId = Field(alias="eventID")
    aws_region: str = Field(alias="awsRegion")
    error_code: str | None = Field(None, alias="errorCode")
    user_identity: UserIdentity = Field(default_factory=UserIdentity, alias="userIdentity")
    user_agent: str | None = Field(None, alias="userAgent")
    request_parameters: dict[str, Any] | None = Field(None, alias="requestParameters", validate_default=True)
    response_elements: dict[str, Any] | None = Field(None, alias="responseElements")

    @field_validator("request_parameters")
    @classmethod
    def _successful_call_names_its_resource(cls, value: dict[str, Any] | None, info: ValidationInfo) -> dict[str, Any] | None:
        data = info.data
        if data.get("error_code") is not None or "event_name" not in data:
            return value  # a failed call is ignored whatever it holds
        name_key = GUARDED_ACTIONS[data["event_name"]][1]
        name = member(value or {}, name_key)
        if name is None:
            identity = data.get("user_identity")
            if data["event_name"] == "CreateTrialComponent" and identity is not None and _is_sagemaker(identity):
                return value  # a job's own component (exempt): its parameters are not ours to judge
            raise ValueError(f"{name_key} is missing: a successful {data['event_name']} names what it created")
        if not isinstance(name, str) or not EXPERIMENT_ENTITY_NAME_RE.fullmatch(name):
            raise ValueError(f"{name_key} {_clip(name)!r} is not a name SageMaker accepts, so the call cannot have succeeded")
        return value

    @field_validator("response_elements")
    @classmethod
    def _arn_names_the_resource(cls, value: dict[str, Any] | None, info: ValidationInfo) -> dict[str, Any] | None:
        data = info.data
        if value is None or data.get("error_code") is not None or "event_name" not in data or "request_parameters" not in data:
            return value
        resource_type, name_key, arn_key = GUARDED_ACTIONS[data["event_name"]]
        arn = member(value, arn_key)
        if arn is None:
            return value
        name = member(data["request_parameters"] or {}, name_key)
        expected = re.compile(_ARN_PREFIX + re.escape(resource_type) + "/" + (re.escape(name) if isinstance(name, str) else ".+"), re.I)
        if not isinstance(arn, str) or not expected.fullmatch(arn):
            raise ValueError(f"{arn_key} {_clip(arn)!r} is not the ARN of the {resource_type} {name!r}")
        return value


class CloudTrailApiCallEvent(EventEnvelope):
    DETAIL_TYPE: ClassVar[str] = CLOUDTRAIL_API_CALL
    source: Literal[SAGEMAKER_SOURCE]
    detail_type: Literal[CLOUDTRAIL_API_CALL] = Field(alias="detail-type")
    detail: CloudTrailDetail

    @property
    def resource_type(self) -> str:
        return GUARDED_ACTIONS[self.detail.event_name][0]

    @property
    def resource_name(self) -> str | None:
        return member(self.detail.request_parameters or {}, GUARDED_ACTIONS[self.detail.event_name][1])

    @property
    def resource_arn(self) -> str | None:
        return member(self.detail.response_elements or {}, GUARDED_ACTIONS[self.detail.event_name][2])

    @property
    def called_by_sagemaker(self) -> bool:
        return _is_sagemaker(self.detail.user_identity)

    @property
    def request_source_arn(self) -> str | None:
        """A source ARN in the request (``source.sourceArn`` or ``sourceArn``): set by jobs, not people."""
        parameters = self.detail.request_parameters or {}
        source = member(parameters, "source")
        nested = member(source, "sourceArn") if isinstance(source, Mapping) else None
        value = nested or member(parameters, "sourceArn")
        return value if isinstance(value, str) and value else None


# --- Schedule ----------------------------------------------------------------------------------


class ScheduledEvent(EventEnvelope):
    """An EventBridge rule's schedule (``Scheduled Event``); its ``time`` is the run's logical time."""

    DETAIL_TYPE: ClassVar[str] = SCHEDULED_EVENT
    source: Literal[SCHEDULE_SOURCE, SCHEDULER_SOURCE]
    detail_type: Literal[SCHEDULED_EVENT] = Field(alias="detail-type")
    detail: dict[str, Any] = Field(default_factory=dict)


EventModel = Union[PipelineExecutionStatusEvent, PipelineStepStatusEvent, CloudTrailApiCallEvent, ScheduledEvent]


@dataclass(frozen=True)
class Malformed:
    """Why an event was rejected: its id (or ``<no id>``), the offending field (dotted path) and why."""

    event_id: str
    field: str
    reason: str


def parse_event(raw: object, accepted: Sequence[type[EventModel]]) -> EventModel | Malformed:
    """``raw`` as the model of its ``detail-type`` among ``accepted``, or Malformed. Never raises."""
    if not isinstance(raw, dict):
        return Malformed(NO_EVENT_ID, "<event>", f"the event is {_json_kind(raw)}, not a JSON object")
    try:
        return _union_of(tuple(accepted)).validate_python(raw)
    except ValidationError as err:
        return _malformed(raw, accepted, err)


@functools.cache
def _union_of(accepted: tuple[type[EventModel], ...]) -> TypeAdapter[Any]:
    """The accepted models as one discriminated union on ``detail-type`` (as Powertools' parser examples
    do): pydantic picks the model by its tag and reports the tag when no model has it."""
    return TypeAdapter(Annotated[Union[accepted], Field(discriminator="detail_type")])  # noqa: UP007 (a runtime tuple)


def _malformed(raw: Mapping[str, Any], accepted: Sequence[type[EventModel]], err: ValidationError) -> Malformed:
    event_id = _event_id(raw)
    problems = err.errors(include_url=False)
    first = problems[0]
    if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
        detail_type = raw.get("detail-type")
        takes = ", ".join(repr(model.DETAIL_TYPE) for model in accepted)
        found = "is missing" if detail_type is None else f"{_clip(detail_type)!r} is not one this handler takes"
        return Malformed(event_id, "detail-type", f"detail-type {found} (it takes {takes})")
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    message = first["msg"].removeprefix("Value error, ")
    return Malformed(event_id, _dotted(first["loc"][1:]), f"{message}{more}")  # loc[0] is the union's tag


def member(mapping: Mapping[str, Any], key: str) -> Any:
    """``mapping[key]``, matching the key in any letter case (trialName or TrialName); None if absent."""
    if key in mapping:
        return mapping[key]
    folded = key.lower()
    return next((value for name, value in mapping.items() if isinstance(name, str) and name.lower() == folded), None)


def _is_sagemaker(identity: UserIdentity) -> bool:
    return identity.invoked_by == SAGEMAKER_EVENT_SOURCE or identity.type == "AWSService"


def _event_id(raw: Mapping[str, Any]) -> str:
    value = raw.get("id")
    return _clip(value) if isinstance(value, str) and value else NO_EVENT_ID


def _dotted(loc: Sequence[int | str]) -> str:
    """pydantic's error location as the event's own field names: detail.executionEndTime."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            name = _ALIASES.get(part, part)
            path += f".{name}" if path else name
    return path or "<event>"


def _json_kind(value: object) -> str:
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "null" if value is None else f"a {type(value).__name__}"


def _clip(value: object, limit: int = 160) -> str:
    """A value short enough for a log line: long text is cut and marked with its full length."""
    text = value if isinstance(value, str) else json.dumps(value, default=repr, ensure_ascii=False)[:limit * 2]
    return text if len(text) <= limit else f"{text[:limit]}...({len(text)} characters)"


# pydantic names a field that was missing (validated from its default) by its Python name; the
# event's readers know the alias. Python names are unique across these models, so one table does.
_ALIASES = {
    name: field.alias
    for model in (PipelineExecutionStatusDetail, PipelineStepStatusDetail, StepMetadata, UserIdentity, CloudTrailDetail, EventEnvelope)
    for name, field in model.model_fields.items()
    if field.alias
}
