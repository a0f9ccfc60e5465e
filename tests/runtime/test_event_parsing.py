"""Event parsing and routing: the documented shapes parse, anything else is classified Malformed with
the offending field, and nothing ever raises (property-based with hypothesis)."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlmeta_runtime.events import (
    EXECUTION_STATUSES,
    EXPERIMENT_ENTITY_NAME_RE,
    TERMINAL_STATUSES,
    CloudTrailApiCallEvent,
    Malformed,
    PipelineExecutionStatusEvent,
    PipelineStepStatusEvent,
    ScheduledEvent,
    parse_event,
)
from runtime_world import EVENTS_DIR, load_event

ALL = (PipelineExecutionStatusEvent, PipelineStepStatusEvent, CloudTrailApiCallEvent, ScheduledEvent)
FIXTURES = {
    "pipeline_execution_executing.json": PipelineExecutionStatusEvent,
    "pipeline_execution_succeeded.json": PipelineExecutionStatusEvent,
    "aws_pipeline_execution_status_change.json": PipelineExecutionStatusEvent,
    "pipeline_step_preprocess.json": PipelineStepStatusEvent,
    "pipeline_step_train.json": PipelineStepStatusEvent,
    "pipeline_step_condition.json": PipelineStepStatusEvent,
    "aws_pipeline_execution_step_status_change.json": PipelineStepStatusEvent,
    "cloudtrail_create_trial_component_SYNTHETIC.json": CloudTrailApiCallEvent,
    "cloudtrail_create_experiment.json": CloudTrailApiCallEvent,
    "cloudtrail_create_trial_failed.json": CloudTrailApiCallEvent,
    "cloudtrail_create_trial_component_by_job.json": CloudTrailApiCallEvent,
    "scheduled_event.json": ScheduledEvent,
}


def test_every_fixture_of_these_handlers_is_listed():
    ours = {p.name for p in EVENTS_DIR.glob("*.json") if not p.name.startswith("experiment_provisioner")}
    assert ours - set(FIXTURES) == {"aws_training_job_state_change.json"}


def test_the_documented_events_parse_as_their_models():
    for name, model in FIXTURES.items():
        parsed = parse_event(load_event(name), ALL)
        assert isinstance(parsed, model), (name, parsed)


def test_the_aws_sample_reads_as_documented():
    parsed = parse_event(load_event("aws_pipeline_execution_status_change.json"), ALL)

    assert parsed.id == "315c1398-40ff-a850-213b-158f73kd93ir"
    assert parsed.detail.current_status == "Succeeded"
    assert parsed.detail.execution_end_time == datetime(2021, 3, 15, 16, 10, 10, tzinfo=timezone.utc)
    assert parsed.detail.pipeline_execution_arn.endswith("pipeline/myPipeline-123/execution/p4jn9xou8a8s")


def test_a_step_event_names_its_job():
    preprocess = parse_event(load_event("pipeline_step_preprocess.json"), ALL)
    condition = parse_event(load_event("pipeline_step_condition.json"), ALL)

    assert preprocess.detail.metadata.job_arn.endswith(":processing-job/pipelines-p4jn9xou8a8s-preprocess-tmgxry49ug")
    assert condition.detail.metadata.job_arn is None


def test_an_event_of_a_type_the_handler_does_not_take_is_malformed_by_its_detail_type():
    parsed = parse_event(load_event("aws_training_job_state_change.json"), ALL)

    assert parsed == Malformed(
        "844e2571-85d4-695f-b930-0153b71dcb42",
        "detail-type",
        parsed.reason,
    )
    assert "'SageMaker Training Job State Change' is not one this handler takes" in parsed.reason


def test_the_union_dispatches_by_detail_type_and_names_the_events_own_field():
    # The models form one discriminated union on detail-type: pydantic's error path starts with the
    # union's tag, which the Malformed verdict leaves out.
    event = load_event("pipeline_step_train.json")
    event["detail"]["stepName"] = "no spaces allowed"

    parsed = parse_event(event, ALL)

    assert (parsed.event_id, parsed.field) == (event["id"], "detail.stepName")
    assert "is not a pipeline step name" in parsed.reason


def test_a_detail_type_of_any_json_kind_is_malformed_by_its_detail_type():
    for value in ([], {}, None, 5, True, "x" * 400):
        event = {**load_event("scheduled_event.json"), "detail-type": value}
        parsed = parse_event(event, (ScheduledEvent,))
        assert isinstance(parsed, Malformed) and parsed.field == "detail-type", (value, parsed)
        assert "(it takes 'Scheduled Event')" in parsed.reason


def test_cloudtrail_keys_are_read_in_either_letter_case():
    event = load_event("cloudtrail_create_trial_component_SYNTHETIC.json")
    detail = event["detail"]
    detail["requestParameters"] = {"TrialComponentName": detail["requestParameters"]["trialComponentName"]}
    detail["responseElements"] = {"TrialComponentArn": detail["responseElements"]["trialComponentArn"]}

    parsed = parse_event(event, ALL)

    assert parsed.resource_name == "exp-churn-run-1"
    assert parsed.resource_arn.endswith(":experiment-trial-component/exp-churn-run-1")


def test_a_failed_call_parses_whatever_its_parameters_hold():
    event = load_event("cloudtrail_create_trial_failed.json")
    event["detail"]["requestParameters"] = {"trialName": "x" * 500}

    parsed = parse_event(event, ALL)

    assert isinstance(parsed, CloudTrailApiCallEvent) and parsed.detail.error_code == "ValidationException"


def test_a_successful_call_without_a_name_is_malformed_unless_sagemaker_made_it():
    by_person = load_event("cloudtrail_create_experiment.json")
    by_person["detail"]["requestParameters"] = {"description": "no name"}
    by_job = load_event("cloudtrail_create_trial_component_by_job.json")
    by_job["detail"]["requestParameters"] = {}
    del by_job["detail"]["responseElements"]

    assert parse_event(by_person, ALL).field == "detail.requestParameters"
    assert "experimentName is missing" in parse_event(by_person, ALL).reason
    assert isinstance(parse_event(by_job, ALL), CloudTrailApiCallEvent)


def test_times_must_carry_a_zone():
    event = load_event("pipeline_execution_succeeded.json")
    event["detail"]["executionEndTime"] = "2026-01-02T09:47:12"

    assert parse_event(event, ALL).field == "detail.executionEndTime"


# --- properties --------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4),
    max_leaves=25,
)
DETAIL_TYPES = st.sampled_from([m.DETAIL_TYPE for m in ALL] + ["Scheduled Event ", "Object Created"])


def _assert_classified(result: object) -> None:
    assert isinstance(result, (*ALL, Malformed))
    if isinstance(result, Malformed):
        assert result.field and result.reason and result.event_id


@settings(max_examples=150, deadline=None)
@given(JSON)
def test_arbitrary_json_is_a_model_or_malformed_never_an_exception(value):
    _assert_classified(parse_event(value, ALL))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fixture=st.sampled_from(sorted(FIXTURES)), data=st.data())
def test_valid_events_with_any_field_replaced_by_arbitrary_json_are_never_an_exception(fixture, data):
    event = copy.deepcopy(load_event(fixture))
    for _ in range(data.draw(st.integers(1, 3), label="replacements")):
        _replace_somewhere(event, data)

    _assert_classified(parse_event(event, ALL))


def _replace_somewhere(event: dict, data: st.DataObject) -> None:
    """Walk down existing keys (drawn at random) and replace the value found there with arbitrary JSON."""
    node, key = event, data.draw(st.sampled_from(sorted(event)), label="key")
    while isinstance(node[key], dict) and node[key] and data.draw(st.booleans(), label="descend"):
        node, key = node[key], data.draw(st.sampled_from(sorted(node[key])), label="key")
    node[key] = data.draw(JSON | DETAIL_TYPES, label="value")


EXECUTION_IDS = st.from_regex(r"[a-z0-9]{12}", fullmatch=True)
USE_CASES = st.from_regex(r"[a-z][a-z0-9]{0,10}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
TIMES = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(timezone.utc))
EVENT_IDS = st.uuids().map(str)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@settings(max_examples=100, deadline=None)
@given(
    event_id=EVENT_IDS,
    use_case=USE_CASES,
    env=st.sampled_from(["dev", "stg", "prod"]),
    execution_id=EXECUTION_IDS,
    status=st.sampled_from(EXECUTION_STATUSES),
    start=TIMES,
    duration=st.timedeltas(min_value=datetime.resolution, max_value=datetime(2020, 1, 2) - datetime(2020, 1, 1)),
)
def test_generated_execution_status_events_always_parse_to_what_they_say(event_id, use_case, env, execution_id, status, start, duration):
    arn = f"arn:aws:sagemaker:ap-northeast-1:123456789012:pipeline/{use_case}-{env}/execution/{execution_id}"
    detail = {"currentPipelineExecutionStatus": status, "executionStartTime": _iso(start), "pipelineExecutionArn": arn,
              "pipelineArn": arn.split("/execution/")[0]}
    if status in TERMINAL_STATUSES:
        detail["executionEndTime"] = _iso(start + duration)
    event = _envelope(event_id, PipelineExecutionStatusEvent.DETAIL_TYPE, "aws.sagemaker", start, detail)

    parsed = parse_event(json.loads(json.dumps(event)), ALL)

    assert isinstance(parsed, PipelineExecutionStatusEvent)
    assert (parsed.id, parsed.detail.current_status, parsed.detail.pipeline_execution_arn) == (event_id, status, arn)
    assert parsed.detail.execution_start_time == start
    assert parsed.detail.finished == ("executionEndTime" in detail)
    # Routing: a handler that does not take this type classifies it by its detail-type.
    assert parse_event(event, (CloudTrailApiCallEvent, ScheduledEvent)).field == "detail-type"


@settings(max_examples=100, deadline=None)
@given(
    event_id=EVENT_IDS,
    step=st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True),
    job_type=st.sampled_from(["processing", "training", "transform"]),
    job_name=st.from_regex(r"[a-z0-9](-?[a-z0-9]){0,40}", fullmatch=True),
    status=st.sampled_from(["Starting", "Executing", "Stopping", "Stopped", "Failed", "Succeeded"]),
    at=TIMES,
)
def test_generated_step_events_always_parse_with_their_job(event_id, step, job_type, job_name, status, at):
    job_arn = f"arn:aws:sagemaker:us-east-1:123456789012:{job_type}-job/{job_name}"
    detail = {"stepName": step, "currentStepStatus": status, "metadata": {f"{job_type}Job": {"arn": job_arn}},
              "pipelineExecutionArn": "arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-dev/execution/p4jn9xou8a8s"}

    parsed = parse_event(_envelope(event_id, PipelineStepStatusEvent.DETAIL_TYPE, "aws.sagemaker", at, detail), ALL)

    assert isinstance(parsed, PipelineStepStatusEvent)
    assert (parsed.detail.step_name, parsed.detail.current_status, parsed.detail.metadata.job_arn) == (step, status, job_arn)


@settings(max_examples=100, deadline=None)
@given(
    event_id=EVENT_IDS,
    trail_id=EVENT_IDS,
    action=st.sampled_from(["CreateExperiment", "CreateTrial", "CreateTrialComponent"]),
    name=st.from_regex(EXPERIMENT_ENTITY_NAME_RE, fullmatch=True),
    pascal_case=st.booleans(),
    at=TIMES,
)
def test_generated_cloudtrail_events_always_parse_with_their_resource(event_id, trail_id, action, name, pascal_case, at):
    noun = action.removeprefix("Create")
    key = noun[0].lower() + noun[1:]
    resource = {"Experiment": "experiment", "Trial": "experiment-trial", "TrialComponent": "experiment-trial-component"}[noun]
    name_key, arn_key = (f"{noun}Name", f"{noun}Arn") if pascal_case else (f"{key}Name", f"{key}Arn")
    arn = f"arn:aws:sagemaker:ap-northeast-1:123456789012:{resource}/{name.lower()}"
    detail = {"eventName": action, "eventSource": "sagemaker.amazonaws.com", "eventTime": _iso(at), "eventID": trail_id,
              "awsRegion": "ap-northeast-1", "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/x/y"},
              "requestParameters": {name_key: name}, "responseElements": {arn_key: arn}}

    parsed = parse_event(_envelope(event_id, CloudTrailApiCallEvent.DETAIL_TYPE, "aws.sagemaker", at, detail), ALL)

    assert isinstance(parsed, CloudTrailApiCallEvent)
    assert (parsed.resource_type, parsed.resource_name, parsed.resource_arn) == (resource, name, arn)
    assert parsed.detail.event_time == at


def _envelope(event_id: str, detail_type: str, source: str, at: datetime, detail: dict) -> dict:
    return {"version": "0", "id": event_id, "detail-type": detail_type, "source": source, "account": "123456789012",
            "time": _iso(at), "region": "ap-northeast-1", "resources": [], "detail": detail}
