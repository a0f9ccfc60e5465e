"""The naming guard against moto: verdict tag, audit record, notice on violations only; failed calls and
job-created components ignored. The CloudTrail events are SYNTHETIC (see tests/events/*cloudtrail*)."""

from __future__ import annotations

import copy
import re

import pytest
from botocore.stub import Stubber

from mlmeta_contract.lake.records import decode_records
from mlmeta_contract.lake.schema import NAMING_AUDIT
from mlmeta_contract.naming import DEFAULT_CONVENTION
from mlmeta_runtime.events import CloudTrailApiCallEvent, parse_event
from naming_guard.guard import cloudtrail_check, judge
from runtime_shapes import arn
from runtime_world import CONTEXT, load_event

VIOLATION_EVENT = "cloudtrail_create_trial_component_SYNTHETIC.json"
COMPLIANT_EVENT = "cloudtrail_create_experiment.json"
ALICE = "arn:aws:sts::123456789012:assumed-role/DataScientist/alice"
AUDIT_KEY = re.compile(r"audit/naming/dt=2026-01-02/[0-9a-f]{32}\.json\.gz")


@pytest.fixture
def guard(handlers):
    return handlers["naming_guard"]


def _audit(world) -> tuple[str, dict]:
    [(key, body)] = world.lake().items()
    [record] = decode_records(body)
    return key, record


def test_a_violation_is_tagged_audited_and_notified(guard, world):
    component_arn = world.sagemaker.create_trial_component(TrialComponentName="exp-churn-run-1")["TrialComponentArn"]

    answer = guard.lambda_handler(load_event(VIOLATION_EVENT), CONTEXT)

    assert answer["verdict"] == "violation" and answer["rule"] == "missing-kind-word"
    assert world.tags(component_arn) == {"mlmeta:naming": "violation"}
    key, record = _audit(world)
    assert AUDIT_KEY.fullmatch(key) and answer["audit_key"] == key
    assert set(record) == set(NAMING_AUDIT.column_names)
    assert record == {
        "checked_at": "2026-01-02T09:18:24.000Z",
        "source": "cloudtrail",
        "resource_type": "trial-component",
        "resource_name": "exp-churn-run-1",
        "resource_arn": component_arn,
        "verdict": "violation",
        "rule": "missing-kind-word",
        "reason": record["reason"],
        "actor_arn": ALICE,
        "action": "CreateTrialComponent",
    }
    assert "missing kind word 'analysis'" in record["reason"]
    [notice] = world.notices()
    assert notice["kind"] == "naming-violation" and notice["environment"] == "dev"
    assert {k: notice[k] for k in record} == record and notice["audit_key"] == key


def test_a_compliant_name_is_tagged_and_audited_without_a_notice(guard, world):
    experiment_arn = world.sagemaker.create_experiment(ExperimentName="churn-prediction-eda-alice")["ExperimentArn"]

    answer = guard.lambda_handler(load_event(COMPLIANT_EVENT), CONTEXT)

    assert answer["verdict"] == "compliant"
    assert world.tags(experiment_arn) == {"mlmeta:naming": "compliant"}
    _, record = _audit(world)
    assert (record["verdict"], record["rule"], record["resource_type"], record["action"]) == (
        "compliant", "compliant", "experiment", "CreateExperiment")
    assert record["reason"].startswith("eda-experiment (use_case=churn-prediction, user=alice)")
    assert world.notices() == []


def test_a_replayed_event_overwrites_the_same_audit_object_with_the_same_bytes(guard, world):
    world.sagemaker.create_trial_component(TrialComponentName="exp-churn-run-1")
    event = load_event(VIOLATION_EVENT)

    guard.lambda_handler(copy.deepcopy(event), CONTEXT)
    once = world.lake()
    guard.lambda_handler(copy.deepcopy(event), CONTEXT)

    assert world.lake() == once
    first, second = world.notices()
    assert first == second  # SNS is at-least-once anyway; the notice_id lets subscribers de-duplicate


def test_the_audit_record_is_the_entitys_whichever_event_reports_it(guard, world):
    """Another CloudTrail record of the same entity (another delivery path, a re-created entity) lands on
    the entity's object, with the same notice id; another entity gets its own."""
    world.sagemaker.create_trial_component(TrialComponentName="exp-churn-run-1")
    world.sagemaker.create_trial_component(TrialComponentName="exp-churn-run-2")
    event = load_event(VIOLATION_EVENT)
    same_entity = copy.deepcopy(event)
    same_entity["id"], same_entity["detail"]["eventID"] = "11111111-2222-3333-4444-666666666666", "78478c6d-6742-4c0c-a3c7-d7a14d19402f"
    other_entity = copy.deepcopy(event)
    other_entity["detail"]["eventID"] = "78478c6d-6742-4c0c-a3c7-d7a14d194030"
    other_entity["detail"]["requestParameters"]["trialComponentName"] = "exp-churn-run-2"
    other_entity["detail"]["responseElements"]["trialComponentArn"] = arn("experiment-trial-component", "exp-churn-run-2")

    first = guard.lambda_handler(event, CONTEXT)
    second = guard.lambda_handler(same_entity, CONTEXT)
    third = guard.lambda_handler(other_entity, CONTEXT)

    assert first["audit_key"] == second["audit_key"] != third["audit_key"]
    assert len(world.lake()) == 2
    notices = world.notices()
    assert [n["notice_id"] for n in notices][:2] == [first["audit_key"].rsplit("/", 1)[1].removesuffix(".json.gz")] * 2
    assert notices[2]["notice_id"] != notices[0]["notice_id"]


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("cloudtrail_create_trial_failed.json", "CreateTrial failed (ValidationException): nothing was created"),
        ("cloudtrail_create_trial_component_by_job.json", "was created by SageMaker itself"),
    ],
)
def test_failed_calls_and_components_made_by_sagemaker_are_not_judged(guard, world, fixture, reason):
    answer = guard.lambda_handler(load_event(fixture), CONTEXT)

    assert answer["status"] == "skipped" and reason in answer["reason"]
    assert world.lake() == {} and world.notices() == [] and world.quarantined() == []


def test_a_component_named_like_a_jobs_is_exempt_only_when_its_source_says_so(guard):
    """Stubber: moto's trial components have no Source; DescribeTrialComponent answers as documented."""
    event = load_event(VIOLATION_EVENT)
    name = "pipelines-p4jn9xou8a8s-train-8fk2mq0zle-aws-training-job"
    event["detail"]["requestParameters"]["trialComponentName"] = name
    event["detail"]["responseElements"]["trialComponentArn"] = arn("experiment-trial-component", name)
    parsed = parse_event(event, (CloudTrailApiCallEvent,))
    job = arn("training-job", "pipelines-p4jn9xou8a8s-train-8fk2mq0zle")
    with Stubber(guard.sagemaker) as stub:
        stub.add_response("describe_trial_component", {"TrialComponentName": name, "Source": {"SourceArn": job}},
                          {"TrialComponentName": name})
        stub.add_response("describe_trial_component", {"TrialComponentName": name}, {"TrialComponentName": name})

        with_source = cloudtrail_check(guard.sagemaker, parsed)
        without_source = cloudtrail_check(guard.sagemaker, parsed)

        stub.assert_no_pending_responses()
    assert with_source == f"trial component {name} was created by the job {job}"
    assert without_source.name == name and without_source.source == "cloudtrail"


def test_a_name_of_another_environment_is_left_to_that_environments_guard(guard, world):
    event = load_event(COMPLIANT_EVENT)
    event["detail"]["requestParameters"]["experimentName"] = "churn-prediction-prod-pipeline"
    event["detail"]["responseElements"]["experimentArn"] = arn("experiment", "churn-prediction-prod-pipeline")

    answer = guard.lambda_handler(event, CONTEXT)

    assert answer["status"] == "skipped" and "belongs to environment prod" in answer["reason"]
    assert world.lake() == {}


def test_without_an_arn_in_the_response_the_guard_looks_it_up(guard, world):
    experiment_arn = world.sagemaker.create_experiment(ExperimentName="churn-prediction-eda-alice")["ExperimentArn"]
    event = load_event(COMPLIANT_EVENT)
    del event["detail"]["responseElements"]

    answer = guard.lambda_handler(event, CONTEXT)

    assert answer["resource_arn"] == experiment_arn and answer["tagged"] is True
    assert world.tags(experiment_arn) == {"mlmeta:naming": "compliant"}


def test_a_resource_deleted_before_the_check_is_still_audited(guard, world):
    """Stubber for SageMaker: moto's DescribeExperiment fails internally on a missing experiment; real
    SageMaker answers ResourceNotFound. The lake is moto's S3."""
    event = load_event(COMPLIANT_EVENT)
    del event["detail"]["responseElements"]
    with Stubber(guard.sagemaker) as stub:
        stub.add_client_error("describe_experiment", "ResourceNotFound", "Experiment does not exist", 400,
                              expected_params={"ExperimentName": "churn-prediction-eda-alice"})

        answer = guard.lambda_handler(event, CONTEXT)

        stub.assert_no_pending_responses()
    assert answer["resource_arn"] is None and answer["tagged"] is False
    _, record = _audit(world)
    assert record["resource_arn"] is None and record["verdict"] == "compliant"


@pytest.mark.parametrize(
    ("name", "resource_type", "verdict", "rule"),
    [
        ("churn-prediction-prod-pipeline", "experiment", "compliant", "compliant"),
        # Closest kind: a pipeline experiment with an unknown environment, not an EDA experiment missing 'eda'.
        ("churn-prediction-qa-pipeline", "experiment", "violation", "unknown-env"),
        ("Churn-eda-alice", "experiment", "violation", "uppercase"),
        ("churn-prediction-dev-p4jn9xou8a8s-analysis-evaluation", "experiment-trial-component", "compliant", "compliant"),
        ("churn-prediction-dev-p4jn9xou8a8-analysis-evaluation", "experiment-trial-component", "violation", "bad-execution-id"),
        ("churn-eda-alice-20261301-topic", "experiment-trial", "violation", "bad-date"),
        # Ambiguous between kinds, but compliant in every reading.
        ("churn-eda-prod", None, "compliant", "compliant"),
    ],
)
def test_judge_gives_the_rule_of_the_closest_kind(name, resource_type, verdict, rule):
    judgement = judge(name, resource_type, DEFAULT_CONVENTION)

    assert (judgement.verdict, judgement.rule) == (verdict, rule)
    assert judgement.reason
