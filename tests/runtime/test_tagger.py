"""The trial tagger against moto, and with botocore's Stubber where moto cannot play SageMaker:
Pipelines creating trial 1.1 a moment after the Executing event (eventual consistency), and the
ResourceNotFound error code real SageMaker answers (moto answers ValidationException "Could not find")."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from mlmeta_contract.naming import DEFAULT_CONVENTION
from mlmeta_runtime.events import PipelineExecutionStatusEvent, parse_event
from mlmeta_runtime.retry import Backoff, GaveUp
from runtime_shapes import ENVIRONMENT_TRIAL, EXECUTION_ARN, EXPERIMENT, arn, job_component_name
from runtime_world import CONTEXT, load_event
from tagger.tagging import WAIT_FOR_CREATION, tag_environment_trial

TRIAL_TAGS = {
    "mlmeta:use-case": "churn-prediction",
    "mlmeta:environment": "dev",
    "mlmeta:kind": "environment-trial",
    "mlmeta:pipeline-execution-arn": EXECUTION_ARN,
}


@pytest.fixture
def tagger(handlers):
    return handlers["tagger"]


@pytest.fixture
def sleeps(tagger, monkeypatch):
    waited: list[float] = []
    monkeypatch.setattr(tagger, "sleep", waited.append)
    return waited


def _pipelines_created_trial_1_1(world) -> str:
    world.sagemaker.create_experiment(ExperimentName=EXPERIMENT)
    return world.sagemaker.create_trial(TrialName=ENVIRONMENT_TRIAL, ExperimentName=EXPERIMENT)["TrialArn"]


def test_executing_tags_trial_1_1_with_the_required_tags(tagger, world, sleeps):
    trial_arn = _pipelines_created_trial_1_1(world)

    answer = tagger.lambda_handler(load_event("pipeline_execution_executing.json"), CONTEXT)

    assert answer["status"] == "tagged" and answer["resource_arn"] == trial_arn
    assert world.tags(trial_arn) == TRIAL_TAGS
    assert sleeps == []


def test_a_step_tags_its_jobs_trial_component_with_the_step(tagger, world, sleeps):
    component_arn = world.sagemaker.create_trial_component(TrialComponentName=job_component_name("preprocess"))["TrialComponentArn"]

    answer = tagger.lambda_handler(load_event("pipeline_step_preprocess.json"), CONTEXT)

    assert answer["status"] == "tagged"
    assert world.tags(component_arn) == {
        "mlmeta:step": "preprocess",
        "mlmeta:use-case": "churn-prediction",
        "mlmeta:environment": "dev",
        "mlmeta:pipeline-execution-arn": EXECUTION_ARN,
    }


@pytest.mark.parametrize(
    ("fixture", "change", "reason"),
    [
        ("pipeline_execution_succeeded.json", None, "execution status Succeeded"),
        ("pipeline_step_condition.json", None, "step check-auc (Condition) runs no processing, training or transform job"),
        ("aws_pipeline_execution_status_change.json", {"currentPipelineExecutionStatus": "Executing"},
         "pipeline 'myPipeline-123' does not follow the naming convention [uppercase]"),
        ("aws_pipeline_execution_step_status_change.json", None, "pipeline 'myPipeline-123' does not follow the naming convention"),
        ("pipeline_execution_executing.json",
         {"pipelineExecutionArn": "arn:aws:sagemaker:ap-northeast-1:123456789012:pipeline/churn-prediction-prod/execution/p4jn9xou8a8s"},
         "belongs to environment 'prod'; this deployment handles 'dev'"),
        ("pipeline_execution_executing.json",
         {"pipelineExecutionArn": "arn:aws:sagemaker:ap-northeast-1:123456789012:pipeline/churn-prediction-dev/execution/p4jn9xou8a8"},
         "execution_id 'p4jn9xou8a8' is not a SageMaker pipeline execution id"),
    ],
    ids=["terminal-status", "step-without-job", "pipeline-off-convention", "step-of-pipeline-off-convention", "other-environment",
         "short-execution-id"],
)
def test_events_that_are_valid_but_not_ours_are_skipped_with_the_reason(tagger, world, logs, sleeps, fixture, change, reason):
    event = load_event(fixture)
    event["detail"].update(change or {})

    answer = tagger.lambda_handler(event, CONTEXT)

    assert answer["status"] == "skipped"
    assert reason in answer["reason"]
    assert reason in logs.at("INFO")[-1]["message"]
    assert world.quarantined() == [] and sleeps == []


def test_a_trial_that_never_appears_raises_after_bounded_attempts(tagger, world, logs, sleeps):
    with pytest.raises(GaveUp) as raised:
        tagger.lambda_handler(load_event("pipeline_execution_executing.json"), CONTEXT)

    assert raised.value.attempts == WAIT_FOR_CREATION.attempts
    assert sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert ENVIRONMENT_TRIAL in str(raised.value)
    assert logs.at("ERROR")[-1]["error_class"] == "gave-up"
    assert world.quarantined() == []


def test_a_trial_that_appears_after_two_misses_is_tagged(tagger, world):
    """Stubber: describe_trial answers SageMaker's documented ResourceNotFound twice, then the trial."""
    event = parse_event(load_event("pipeline_execution_executing.json"), (PipelineExecutionStatusEvent,))
    trial_arn = arn("experiment-trial", ENVIRONMENT_TRIAL)
    waited: list[float] = []
    with Stubber(tagger.sagemaker) as stub:
        for _ in range(2):
            stub.add_client_error("describe_trial", "ResourceNotFound", f"Trial {trial_arn} does not exist.", 400,
                                  expected_params={"TrialName": ENVIRONMENT_TRIAL})
        stub.add_response("describe_trial", {"TrialName": ENVIRONMENT_TRIAL, "TrialArn": trial_arn, "ExperimentName": EXPERIMENT},
                          {"TrialName": ENVIRONMENT_TRIAL})
        stub.add_response("add_tags", {"Tags": []}, {"ResourceArn": trial_arn, "Tags": [{"Key": k, "Value": TRIAL_TAGS[k]} for k in sorted(TRIAL_TAGS)]})

        result = tag_environment_trial(tagger.sagemaker, event, convention=DEFAULT_CONVENTION, environment="dev", sleep=waited.append)

        stub.assert_no_pending_responses()
    assert result.status == "tagged" and result.tags == TRIAL_TAGS
    assert waited == [1.0, 2.0]


def test_the_wait_is_bounded_by_the_backoff_it_is_given(tagger):
    """Stubber: every describe_trial answers ResourceNotFound."""
    event = parse_event(load_event("pipeline_execution_executing.json"), (PipelineExecutionStatusEvent,))
    waited: list[float] = []
    with Stubber(tagger.sagemaker) as stub:
        for _ in range(3):
            stub.add_client_error("describe_trial", "ResourceNotFound", "does not exist", 400)

        with pytest.raises(GaveUp, match="still failing after 3 attempts over 0.75 s"):
            tag_environment_trial(tagger.sagemaker, event, convention=DEFAULT_CONVENTION, environment="dev",
                                  wait=Backoff(attempts=3, first_delay=0.25, factor=2), sleep=waited.append)

        stub.assert_no_pending_responses()
    assert waited == [0.25, 0.5]


def test_the_same_events_twice_leave_the_same_tags(tagger, world, sleeps):
    trial_arn = _pipelines_created_trial_1_1(world)
    component_arn = world.sagemaker.create_trial_component(TrialComponentName=job_component_name("train"))["TrialComponentArn"]
    events = [load_event("pipeline_execution_executing.json"), load_event("pipeline_step_train.json")]

    first = [tagger.lambda_handler(e, CONTEXT) for e in events]
    tags_once = (world.tags(trial_arn), world.tags(component_arn))
    second = [tagger.lambda_handler(e, CONTEXT) for e in reversed(events)]

    assert first == list(reversed(second))
    assert (world.tags(trial_arn), world.tags(component_arn)) == tags_once
