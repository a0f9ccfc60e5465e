"""Replay end to end (mlmeta.local.replay): AWS's sample events through the stack's rules to the real
handler code, against the embedded moto server. Pipelines' trials and components are created in moto
first (moto runs no pipeline, tests/runtime/moto_gaps.py), and moto's missing Search metrics and job sources
are filled in on the server (mlmeta.local.moto_gaps)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from moto_gaps import pipelines_ran, sagemaker_like_aws
from runtime_shapes import ENVIRONMENT_TRIAL, EXECUTION_ID, SNAPSHOT_DT

from mlmeta.cli import main
from mlmeta.local.event_files import EventInput
from mlmeta.events.handlers import HANDLERS_BY_NAME, handler_environment
from mlmeta.local.missing_entities import MISSING
from mlmeta.local.replay import Replayer
from mlmeta_contract.lake.records import decode_records

EVENTS = Path(__file__).resolve().parents[1] / "events"
METRIC_KEY = f"raw/metric_snapshots/dt={SNAPSHOT_DT}/{EXECUTION_ID}.json.gz"
COMPONENT_KEY = f"raw/component_snapshots/dt={SNAPSHOT_DT}/{EXECUTION_ID}.json.gz"


def event(name: str) -> EventInput:
    return EventInput(name, json.loads((EVENTS / name).read_text()))


def lake(aws, replayer) -> dict[str, bytes]:
    listed = aws["s3"].list_objects_v2(Bucket=replayer.names.lake_bucket).get("Contents", [])
    return {o["Key"]: aws["s3"].get_object(Bucket=replayer.names.lake_bucket, Key=o["Key"])["Body"].read() for o in listed}


def quarantined(aws, replayer) -> list[dict]:
    url = replayer.resources.quarantine_queue_url
    return aws["sqs"].receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get("Messages", [])


def snapshot(replayer, *inputs: EventInput):
    with sagemaker_like_aws():
        return [replayer.replay(item) for item in inputs]


def test_a_finished_execution_lands_in_the_lake_and_is_copied_for_local_queries(aws, replayer, tmp_path, capsys):
    pipelines_ran(aws["sagemaker"], aws["sagemaker-metrics"])

    (outcome,) = snapshot(replayer, event("pipeline_execution_succeeded.json"))

    assert outcome.to_dict() == {
        "event": "pipeline_execution_succeeded.json",
        "id": "7a4b0c1d-0004-4e5f-8a9b-000000000004",
        "outcome": "handled",
        "routes": ["ExecutionFinished"],
        "handlers": ["snapshotter"],
        "results": {"snapshotter": "written"},
    }
    objects = lake(aws, replayer)
    assert sorted(objects) == [COMPONENT_KEY, METRIC_KEY]
    metrics = decode_records(objects[METRIC_KEY])
    assert {(m["trial_name"], m["metric_name"], m["metric_value"]) for m in metrics} >= {
        (f"{ENVIRONMENT_TRIAL}-analysis", "auc", 0.91),
        (ENVIRONMENT_TRIAL, "validation:auc", 0.95),
    }

    assert replayer.export_lake(tmp_path / "lake") == 2
    assert (tmp_path / "lake" / METRIC_KEY).read_bytes() == objects[METRIC_KEY]
    capsys.readouterr()
    code = main(["query", "metric_history", "--lake", str(tmp_path / "lake"), "--format", "json",
                 "--param", "churn-prediction-dev", "--param", "auc", "--param", "2026-01-01", "--param", "2026-01-31"])  # fmt: skip
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert [(row["pipeline_execution_id"], row["value"]) for row in rows] == [(EXECUTION_ID, 0.91)]


def test_a_duplicate_event_writes_the_same_bytes(aws, replayer, endpoint, handler_logs):
    pipelines_ran(aws["sagemaker"], aws["sagemaker-metrics"])
    snapshot(replayer, event("pipeline_execution_succeeded.json"))
    first = lake(aws, replayer)

    again = snapshot(replayer, event("pipeline_execution_succeeded.json"))
    fresh = Replayer(replayer.settings, endpoint, log_stream=handler_logs)  # another cold start
    later = snapshot(fresh, event("pipeline_execution_succeeded.json"))

    assert [o.outcome for o in again + later] == ["handled", "handled"]
    assert lake(aws, replayer) == first


def test_a_malformed_event_is_quarantined_whole(aws, replayer):
    broken = event("pipeline_execution_succeeded.json")
    del broken.event["detail"]["executionEndTime"]

    outcome = replayer.replay(broken)

    assert (outcome.outcome, outcome.results) == ("quarantined", {"snapshotter": "quarantined"})
    (message,) = quarantined(aws, replayer)
    assert json.loads(message["Body"]) == broken.event
    attributes = {key: value["StringValue"] for key, value in message["MessageAttributes"].items()}
    assert attributes["handler"] == "snapshotter"
    assert attributes["field"] == "detail.executionEndTime"
    assert lake(aws, replayer) == {}


def test_what_is_not_an_event_is_quarantined_by_replay_itself(aws, replayer, handler_logs):
    outcome = replayer.replay(EventInput("events.jsonl:3", "{broken", "line 3 is not JSON: Expecting value at column 1"))

    assert (outcome.outcome, outcome.event_id, outcome.results) == ("quarantined", None, {"replay": "quarantined"})
    (message,) = quarantined(aws, replayer)
    assert json.loads(message["Body"]) == "{broken"
    assert message["MessageAttributes"]["handler"]["StringValue"] == "replay"
    assert "events.jsonl:3" in message["MessageAttributes"]["reason"]["StringValue"]
    errors = [json.loads(line) for line in handler_logs.getvalue().splitlines() if '"ERROR"' in line]
    assert [e["service"] for e in errors] == ["mlmeta-replay"]


def test_a_handler_that_raises_fails_that_event_only(aws, replayer):
    # Pipelines has not created trial 1.1 (nothing runs in moto): the tagger cannot tag it.
    failed, handled = replayer.replay(event("pipeline_execution_executing.json")), replayer.replay(event("scheduled_event.json"))

    assert (failed.outcome, failed.results) == ("failed", {"tagger": "failed"})
    assert failed.reason.startswith(f"tagger: trial {ENVIRONMENT_TRIAL} does not exist in the embedded AWS; ")
    assert (handled.outcome, handled.handlers) == ("handled", ("reconciler",))


def test_the_tagger_does_not_wait_for_what_nothing_will_create(aws, replayer):
    """The tagger would wait about 31 s for Pipelines to create trial 1.1; replay has nothing that would,
    so the first not-found ends the wait, and the reason says so with the real count and time."""
    started = time.monotonic()
    failed = replayer.replay(event("pipeline_execution_executing.json"))
    elapsed = time.monotonic() - started

    assert failed.reason == (
        f"tagger: trial {ENVIRONMENT_TRIAL} does not exist in the embedded AWS; seed it or replay its creation first "
        f"(1 attempt in {failed.seconds:.2f} s: replay does not wait for it to appear)"
    )
    assert 0 < failed.seconds <= elapsed < 5
    assert "31 s" not in failed.reason and "6 attempts" not in failed.reason


def test_against_an_emulator_that_keeps_no_record_the_reason_quotes_its_not_found(aws, replayer, monkeypatch):
    """With --endpoint, replay cannot see the emulator's lookups: the tagger's own error names the trial."""
    monkeypatch.setattr(MISSING, "record", lambda kind, name: None)

    failed = replayer.replay(event("pipeline_execution_executing.json"))

    assert failed.reason.startswith("tagger: An error occurred (ValidationException) when calling the DescribeTrial operation: ")
    assert f"{ENVIRONMENT_TRIAL}'" in failed.reason
    assert "it does not exist in the embedded AWS; seed it or replay its creation first (1 attempt in " in failed.reason
    assert failed.missing_note is None


def test_a_cloudtrail_event_whose_entity_is_missing_is_one_clear_line(aws, replayer, handler_logs, capfd):
    """moto answered AddTags on an unknown ARN with a 500 and a server traceback, which botocore retried
    and the guard raised as a transient error. Now it is a not-found (as for Describe*): no retry, the
    guard records its verdict without the tag, and replay names what the embedded AWS lacks."""
    attempts: list[str] = []
    guard_client = replayer.handler_module("naming-guard").sagemaker
    guard_client.meta.events.register("before-send.sagemaker.AddTags", lambda **_: attempts.append("AddTags"))

    outcome = replayer.replay(event("cloudtrail_create_trial_component_SYNTHETIC.json"))
    terminal = capfd.readouterr()

    assert (outcome.outcome, outcome.results) == ("handled", {"naming-guard": "checked"})
    assert outcome.reason == (
        "entity trial component exp-churn-run-1 does not exist in the embedded AWS; seed it or replay its creation first"
    )
    assert "Traceback" not in terminal.err + terminal.out + handler_logs.getvalue()
    assert "transient AWS error" not in handler_logs.getvalue()
    assert attempts == ["AddTags"]  # one request: a not-found is not retried (the 500 was, 3 times)
    (audit,) = [key for key in lake(aws, replayer) if key.startswith("audit/naming/")]  # the verdict is recorded
    assert audit.endswith(".json.gz")


def entry_of(size: int) -> dict:
    """An event no rule matches whose PutEvents entry (Time 14 bytes + Source + DetailType + Detail) is
    ``size`` bytes."""
    fixed = {"version": "0", "id": "e1", "account": "123456789012", "region": "ap-northeast-1", "resources": [],
             "time": "2026-01-02T09:18:24Z", "source": "custom", "detail-type": "Big"}
    padding = size - 14 - len("custom") - len("Big") - len('{"padding":""}')
    return {**fixed, "detail": {"padding": "x" * padding}}


def test_an_event_over_eventbridges_256_kb_is_rejected_and_one_at_the_limit_is_not(aws, replayer):
    at_limit, over = replayer.replay(EventInput("at-limit", entry_of(262_144))), replayer.replay(EventInput("over", entry_of(262_145)))

    assert at_limit.outcome == "unrouted"
    assert (over.outcome, over.routes, over.results) == ("rejected", (), {})
    assert over.reason == (
        "the event is 262,145 bytes as a PutEvents entry; EventBridge takes at most 262,144 (256 KB), "
        "so it never delivers such an event"
    )
    assert quarantined(aws, replayer) == []


def test_a_large_event_for_a_handler_is_rejected_before_any_handler_runs(aws, replayer):
    big = event("pipeline_execution_succeeded.json")
    big.event["detail"]["padding"] = "x" * 300_000

    outcome = replayer.replay(big)

    assert (outcome.outcome, outcome.handlers) == ("rejected", ())
    assert lake(aws, replayer) == {}


def test_what_is_not_an_event_and_too_large_for_eventbridge_is_rejected_not_quarantined(aws, replayer):
    outcome = replayer.replay(EventInput("big.txt", "y" * 1_100_000, "neither JSON nor JSON Lines: Expecting value"))

    assert (outcome.outcome, outcome.results) == ("rejected", {})
    assert outcome.reason.startswith("the event is 1,100,000 bytes")
    assert quarantined(aws, replayer) == []


def test_an_event_no_rule_matches_is_unrouted(replayer):
    outcome = replayer.replay(event("aws_training_job_state_change.json"))
    assert (outcome.outcome, outcome.routes, outcome.handlers) == ("unrouted", (), ())


def test_handlers_get_the_stacks_environment_pointed_at_the_emulator(replayer, endpoint):
    for spec in HANDLERS_BY_NAME.values():
        variables = replayer.environment(spec)
        assert handler_environment(spec, replayer.settings, replayer.resources).items() <= variables.items()
        assert variables["AWS_ENDPOINT_URL"] == endpoint
    module = replayer.handler_module("reconciler")
    assert module.SETTINGS.pipeline_names == ("churn-prediction-dev",)
    assert module.SETTINGS.lake_bucket == replayer.names.lake_bucket


def test_loading_handlers_leaves_the_process_as_it_was(replayer):
    modules = {name: module for name, module in sys.modules.items() if name.partition(".")[0] in ("tagger", "mlmeta_runtime")}
    environment = dict(os.environ)

    tagger = replayer.handler_module("tagger")

    assert {name: m for name, m in sys.modules.items() if name.partition(".")[0] in ("tagger", "mlmeta_runtime")} == modules
    assert dict(os.environ) == environment
    assert sys.modules.get("tagger.handler") is not tagger
    assert tagger.sqs.meta.endpoint_url == replayer.endpoint


@pytest.mark.parametrize("name", sorted(HANDLERS_BY_NAME))
def test_every_handler_loads_with_its_environment(replayer, name):
    assert callable(replayer.handler_module(name).lambda_handler)
