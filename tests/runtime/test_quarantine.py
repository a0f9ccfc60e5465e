"""Malformed events, for every handler: the whole raw event goes to the quarantine queue with the reason
as a message attribute, an ERROR log line names the event id and the offending field, and the handler
returns normally (raising would make Lambda retry an event that can never succeed)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from runtime_world import CONTEXT, load_event

# handler -> a valid event it takes
VALID = {
    "tagger": "pipeline_execution_executing.json",
    "naming_guard": "cloudtrail_create_experiment.json",
    "snapshotter": "pipeline_execution_succeeded.json",
    "reconciler": "scheduled_event.json",
}
LONG_NAME = "a" * 300


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A mutation that sets ``detail.x.y`` (or a top-level key) to ``value``."""

    def mutate(event: dict[str, Any]) -> dict[str, Any]:
        *parents, last = path.split(".")
        node = event
        for key in parents:
            node = node[key]
        node[last] = value
        return event

    return mutate


def _without(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def mutate(event: dict[str, Any]) -> dict[str, Any]:
        del event[key]
        return event

    return mutate


_EXECUTION = "arn:aws:sagemaker:ap-northeast-1:123456789012:pipeline/{}/execution/p4jn9xou8a8s"

# (handler, case, mutation of the valid event or a replacement value, expected offending field)
CASES = [
    *[(h, "no detail", _without("detail"), "detail") for h in ("tagger", "naming_guard", "snapshotter")],
    ("reconciler", "no time", _without("time"), "time"),
    ("tagger", "wrong types", _set("detail.pipelineExecutionArn", 12345), "detail.pipelineExecutionArn"),
    ("naming_guard", "wrong types", _set("detail.eventTime", 1767345504), "detail.eventTime"),
    ("snapshotter", "wrong types", _set("detail.executionEndTime", 1767347232000), "detail.executionEndTime"),
    ("reconciler", "wrong types", _set("detail", "{not an object}"), "detail"),
    ("tagger", "unknown status", _set("detail.currentPipelineExecutionStatus", "Exploded"), "detail.currentPipelineExecutionStatus"),
    ("snapshotter", "unknown status", _set("detail.currentPipelineExecutionStatus", "Done"), "detail.currentPipelineExecutionStatus"),
    ("naming_guard", "unknown action", _set("detail.eventName", "DeleteExperiment"), "detail.eventName"),
    ("reconciler", "unknown detail-type", _set("detail-type", "Unscheduled Event"), "detail-type"),
    ("tagger", "300-character name", _set("detail.pipelineExecutionArn", _EXECUTION.format(LONG_NAME)), "detail.pipelineExecutionArn"),
    ("snapshotter", "300-character name", _set("detail.pipelineExecutionArn", _EXECUTION.format(LONG_NAME)), "detail.pipelineExecutionArn"),
    ("naming_guard", "300-character name", _set("detail.requestParameters.experimentName", LONG_NAME), "detail.requestParameters"),
    ("reconciler", "300-character id", _set("id", LONG_NAME), "id"),
    ("tagger", "unicode name", _set("detail.pipelineExecutionArn", _EXECUTION.format("チャーン予測-dev")), "detail.pipelineExecutionArn"),
    ("snapshotter", "unicode name", _set("detail.pipelineExecutionArn", _EXECUTION.format("churn-prédiction-dev")), "detail.pipelineExecutionArn"),
    ("naming_guard", "unicode name", _set("detail.requestParameters.experimentName", "実験-eda-alice"), "detail.requestParameters"),
    ("reconciler", "unicode source", _set("source", "aws.évents\u0000"), "source"),
    *[(h, "empty object", {}, "detail-type") for h in VALID],
    *[(h, "not JSON", '{"detail-type": "Scheduled Event", "id": ', "<event>") for h in VALID],
    *[(h, "JSON array", [load_event(VALID[h])], "<event>") for h in VALID],
]


def _raw_event(handler: str, change: Any) -> Any:
    if callable(change):
        return change(copy.deepcopy(load_event(VALID[handler])))
    return change


@pytest.mark.parametrize(("handler", "case", "change", "field"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_a_malformed_event_is_quarantined_whole_logged_and_not_raised(handlers, world, logs, handler, case, change, field):
    raw = _raw_event(handler, change)

    answer = handlers[handler].lambda_handler(copy.deepcopy(raw), CONTEXT)

    assert answer["status"] == "quarantined"
    assert answer["field"] == field
    [message] = world.quarantined()
    assert json.loads(message["Body"]) == raw
    attributes = {key: value["StringValue"] for key, value in message["MessageAttributes"].items()}
    assert attributes["field"] == field
    # Attributes are JSON-escaped to ASCII (SQS refuses some characters).
    assert json.loads(f'"{attributes["reason"]}"') == answer["reason"] and answer["reason"]
    assert attributes["handler"] == handlers[handler].HANDLER
    event_id = raw.get("id") if isinstance(raw, dict) else None
    [error] = logs.at("ERROR")
    assert error["event_id"] == attributes["event_id"]
    if isinstance(event_id, str) and len(event_id) < 100:
        assert event_id in error["message"] and attributes["event_id"] == event_id
    assert f"field {field}:" in error["message"]
    # Nothing else happened: no lake object, no notice.
    assert world.lake() == {} and world.notices() == []


def test_the_quarantine_message_keeps_unicode_and_control_characters_exactly(handlers, world):
    raw = load_event(VALID["tagger"])
    raw["detail"]["pipelineExecutionDisplayName"] = "夜間実行 \u2028 \U0001f680 \x07"
    raw["detail"]["currentPipelineExecutionStatus"] = "Unknown"

    handlers["tagger"].lambda_handler(copy.deepcopy(raw), CONTEXT)

    [message] = world.quarantined()
    assert json.loads(message["Body"]) == raw
    assert message["Body"].isascii()


def test_a_quarantined_reason_names_what_was_expected(handlers, world):
    raw = load_event(VALID["snapshotter"])
    del raw["detail"]["executionEndTime"]

    answer = handlers["snapshotter"].lambda_handler(raw, CONTEXT)

    assert answer["field"] == "detail.executionEndTime"
    assert answer["reason"] == "executionEndTime is required when the execution has finished"


def test_when_the_quarantine_queue_fails_the_handler_raises_so_nothing_is_lost(handlers, world):
    world.sqs.delete_queue(QueueUrl=handlers["tagger"].SETTINGS.quarantine_queue_url)

    with pytest.raises(Exception) as raised:
        handlers["tagger"].lambda_handler({}, CONTEXT)

    assert "NonExistentQueue" in str(raised.value) or "does not exist" in str(raised.value)
