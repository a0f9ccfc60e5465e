"""Malformed events, for every handler: the whole raw event goes to the quarantine queue with the reason
as a message attribute, an ERROR log line names the event id and the offending field, and the handler
returns normally (raising would make Lambda retry an event that can never succeed)."""

from __future__ import annotations

import copy
import gzip
import hashlib
import importlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from runtime_world import CONTEXT, LAKE_BUCKET, load_event

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


@pytest.fixture
def runtime_quarantine(handlers):
    # Imported once the handlers are (with their environment): its logger takes the service name then.
    return importlib.import_module("mlmeta_runtime.quarantine")


def _oversized(handler: str, size: int, chunk: str = "夜x\u2028é") -> dict[str, Any]:
    """A valid event of ``handler`` without its detail-type (so malformed), padded to about ``size`` bytes
    of UTF-8 JSON, by default with characters the ASCII-escaped body must keep exactly."""
    raw = load_event(VALID[handler])
    del raw["detail-type"]
    raw["detail"]["padding"] = chunk * (size // len(chunk.encode()))
    return raw


@pytest.mark.parametrize("handler", sorted(VALID))
def test_an_event_too_large_for_sqs_is_kept_whole_in_the_lake_bucket_and_the_queue_gets_a_pointer(
    handlers, world, logs, runtime_quarantine, handler
):
    raw = _oversized(handler, 2 * 1024 * 1024)  # 2 MiB: over SQS's 1 MiB message limit

    answer = handlers[handler].lambda_handler(copy.deepcopy(raw), CONTEXT)

    assert answer["status"] == "quarantined" and answer["field"] == "detail-type"
    [message] = world.quarantined()
    pointer = json.loads(message["Body"])["quarantined_event"]
    assert len(message["Body"]) < 4096
    key = pointer["key"]
    assert pointer["bucket"] == LAKE_BUCKET and key.startswith("quarantine/dt=") and key.endswith(".json.gz")
    stored = gzip.decompress(world.lake()[key])
    assert json.loads(stored) == raw  # the exact original event
    assert pointer["size_bytes"] == len(stored) == len(runtime_quarantine.quarantine_body(raw)) > 2 * 1024 * 1024
    assert pointer["sha256"] == hashlib.sha256(stored).hexdigest()
    assert (pointer["event_id"], pointer["field"], pointer["handler"]) == (raw["id"], "detail-type", handlers[handler].HANDLER)
    assert pointer["reason"] == answer["reason"]
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert attributes["body_location"] == f"s3://{LAKE_BUCKET}/{key}" and attributes["event_id"] == raw["id"]
    [error] = logs.at("ERROR")
    assert f"s3://{LAKE_BUCKET}/{key}" in error["message"] and raw["id"] in error["message"]
    assert set(world.lake()) == {key}  # nothing but the quarantined event was written


def test_the_queue_takes_messages_up_to_the_inline_limit_and_the_bucket_the_rest(handlers, world, runtime_quarantine):
    limit = runtime_quarantine.MAX_INLINE_BYTES
    small, large = (_oversized("tagger", size, chunk="x") for size in (limit - 8 * 1024, limit + 1024))

    for raw in (small, large):
        handlers["tagger"].lambda_handler(copy.deepcopy(raw), CONTEXT)

    inline, pointer = world.quarantined()
    assert len(inline["Body"]) > limit - 16 * 1024 and json.loads(inline["Body"]) == small and "body_location" not in inline["MessageAttributes"]
    assert json.loads(gzip.decompress(world.lake()[json.loads(pointer["Body"])["quarantined_event"]["key"]])) == large


def test_a_repeated_oversized_event_is_stored_once_under_the_same_key(handlers, world):
    raw = _oversized("snapshotter", 2 * 1024 * 1024)

    for _ in range(2):
        handlers["snapshotter"].lambda_handler(copy.deepcopy(raw), CONTEXT)

    first, second = world.quarantined()
    assert json.loads(first["Body"]) == json.loads(second["Body"])
    assert len(world.lake()) == 1


def test_when_the_bucket_refuses_an_oversized_event_the_handler_raises_so_nothing_is_lost(handlers, world):
    world.s3.delete_bucket(Bucket=LAKE_BUCKET)

    with pytest.raises(Exception, match="NoSuchBucket"):
        handlers["tagger"].lambda_handler(_oversized("tagger", 2 * 1024 * 1024), CONTEXT)

    assert world.quarantined() == []
