"""The events the demo sends are the ones the handlers' models accept as AWS's (lambdas/mlmeta_runtime/
events.py) and the events stack's rules route; the planted truncated one is malformed."""

from __future__ import annotations

from mlmeta.config import get_environment
from mlmeta.local.demo.aws_events import AwsNames, eda_event, execution_events, truncated
from mlmeta.local.demo.history import STOPPED, SUCCEEDED, plan_history
from mlmeta.local.demo.settings import DemoSettings
from mlmeta.events.patterns import matches
from mlmeta.events.routes import routes
from mlmeta_runtime.events import (
    CloudTrailApiCallEvent,
    Malformed,
    PipelineExecutionStatusEvent,
    PipelineStepStatusEvent,
    parse_event,
)

SETTINGS = DemoSettings(executions=60)
NAMES = AwsNames("ap-northeast-1", "churn-prediction-dev", SETTINGS.seed)
MODELS = (PipelineExecutionStatusEvent, PipelineStepStatusEvent, CloudTrailApiCallEvent)
ROUTES = routes(get_environment("dev"))


def routed(event) -> list[str]:
    return [route.name for route in ROUTES if matches(route.replay_pattern, event)]


def test_every_execution_event_parses_and_is_routed_in_time_order():
    history = plan_history(SETTINGS)
    for execution in history.executions:
        events = execution_events(execution, NAMES, 1 if execution.status == SUCCEEDED else None)
        assert [e["time"] for e in events] == sorted(e["time"] for e in events)
        parsed = [parse_event(event, MODELS) for event in events]
        assert not [p for p in parsed if isinstance(p, Malformed)], execution.execution_id
        statuses = [p.detail.current_status for p in parsed if isinstance(p, PipelineExecutionStatusEvent)]
        assert statuses == (["Executing", "Stopping", STOPPED] if execution.status == STOPPED else ["Executing", execution.status])
        # Stopping needs nothing (no rule takes it); everything else reaches a handler.
        assert all(routed(event) or event["detail"].get("currentPipelineExecutionStatus") == "Stopping" for event in events)


def test_event_ids_are_unique_and_stable():
    history = plan_history(SETTINGS)
    ids = [e["id"] for execution in history.executions for e in execution_events(execution, NAMES, None)]
    assert len(set(ids)) == len(ids)
    assert ids == [e["id"] for execution in plan_history(SETTINGS).executions for e in execution_events(execution, NAMES, None)]


def test_eda_events_are_cloudtrail_calls_the_naming_guard_takes():
    for action in plan_history(SETTINGS).eda_actions:
        event = eda_event(action, NAMES.arn(f"{action.resource_type}/{action.name.lower()}"), NAMES)
        parsed = parse_event(event, MODELS)
        assert isinstance(parsed, CloudTrailApiCallEvent), parsed
        assert (parsed.resource_name, routed(event)) == (action.name, ["ExperimentEntityCreated"])


def test_the_truncated_copy_is_routed_to_the_snapshotter_and_malformed():
    execution = plan_history(SETTINGS).truncated
    succeeded = execution_events(execution, NAMES, 1)[-1]
    broken = truncated(succeeded, NAMES)

    assert broken["id"] != succeeded["id"] and "pipelineExecutionArn" in succeeded["detail"]
    assert routed(broken) == ["ExecutionFinished"]
    verdict = parse_event(broken, MODELS)
    assert isinstance(verdict, Malformed) and verdict.field == "detail.pipelineExecutionArn"
