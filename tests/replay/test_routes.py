"""The events stack's rules as data (mlmeta_contract.events, bound to the handlers by
mlmeta.events.routes): which recorded event goes to which handler. The strings the rules match and the
handlers parse are one set of constants (mlmeta_contract.events), so nothing compares them."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmeta.config import get_environment
from mlmeta.events.handlers import TAGGER
from mlmeta.events.patterns import matches
from mlmeta.events.routes import Route, routes

EVENTS = Path(__file__).resolve().parents[1] / "events"
DEV = routes(get_environment("dev"))


def load(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def routed(event: object, table: tuple[Route, ...] = DEV) -> list[str]:
    return [route.name for route in table if matches(route.replay_pattern, event)]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("pipeline_execution_executing.json", ["ExecutionStarted"]),
        ("pipeline_execution_succeeded.json", ["ExecutionFinished"]),
        ("pipeline_step_preprocess.json", ["StepStatusChanged"]),
        ("pipeline_step_train.json", ["StepStatusChanged"]),
        ("pipeline_step_condition.json", ["StepStatusChanged"]),
        ("cloudtrail_create_experiment.json", ["ExperimentEntityCreated"]),
        ("cloudtrail_create_trial_component_SYNTHETIC.json", ["ExperimentEntityCreated"]),
        ("cloudtrail_create_trial_component_by_job.json", ["ExperimentEntityCreated"]),
        ("cloudtrail_create_trial_failed.json", ["ExperimentEntityCreated"]),  # the guard skips it, with a reason
        ("scheduled_event.json", ["ReconcileSchedule"]),
        # AWS's documentation samples: pipeline myPipeline-123 is not a pipeline of this environment.
        ("aws_pipeline_execution_status_change.json", []),
        ("aws_pipeline_execution_step_status_change.json", []),
        ("aws_training_job_state_change.json", []),
        ("experiment_provisioner_create.json", []),
    ],
)
def test_each_recorded_event_goes_to_its_handler(fixture, expected):
    assert routed(load(fixture)) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Executing", ["ExecutionStarted"]),
        ("Succeeded", ["ExecutionFinished"]),
        ("Failed", ["ExecutionFinished"]),
        ("Stopped", ["ExecutionFinished"]),
        ("CompletedWithFailures", ["ExecutionFinished"]),
        ("Stopping", []),  # known, and nothing to do
        ("Paused", ["ExecutionStatusUnknown"]),  # unknown: the snapshotter quarantines it, nothing is dropped
    ],
)
def test_execution_statuses(status, expected):
    event = load("pipeline_execution_succeeded.json")
    event["detail"]["currentPipelineExecutionStatus"] = status
    assert routed(event) == expected


def test_the_unknown_status_rule_goes_to_the_handler_that_quarantines_it():
    (route,) = [r for r in DEV if r.name == "ExecutionStatusUnknown"]
    assert route.handler.name == "snapshotter"


def test_each_environment_takes_only_its_own_pipelines():
    event = load("pipeline_execution_succeeded.json")  # churn-prediction-dev
    assert routed(event, routes(get_environment("prod"))) == []
    prod = copy.deepcopy(event)
    prod["detail"]["pipelineArn"] = prod["detail"]["pipelineArn"].replace("-dev", "-prod")
    assert routed(prod, routes(get_environment("prod"))) == ["ExecutionFinished"]
    # A pipeline whose name only ends like ours is not ours.
    other = copy.deepcopy(event)
    other["detail"]["pipelineArn"] += "-copy"
    assert routed(other) == []


def test_the_reconciler_runs_on_a_schedule_and_replay_routes_scheduled_events_to_it():
    (route,) = [r for r in DEV if r.schedule is not None]
    assert (route.handler.name, route.schedule, route.pattern) == ("reconciler", "rate(1 hour)", None)
    assert routed({"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}) == [route.name]


def test_a_route_has_a_pattern_or_a_schedule():
    with pytest.raises(ValueError, match="not both or neither"):
        Route(name="Both", description="x", handler=TAGGER, pattern={"source": ["a"]}, schedule="rate(1 hour)")
    with pytest.raises(ValueError, match="not both or neither"):
        Route(name="Neither", description="x", handler=TAGGER)


@settings(max_examples=150, deadline=None)
@given(status=st.text(min_size=1, max_size=12))
def test_every_execution_status_reaches_exactly_one_handler_except_stopping(status):
    event = load("pipeline_execution_succeeded.json")
    event["detail"]["currentPipelineExecutionStatus"] = status
    assert len(routed(event)) == (0 if status == "Stopping" else 1)
