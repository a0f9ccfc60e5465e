"""The handlers' shared skeleton (mlmeta_runtime/handler.py) and their typed settings: every handler is
built by ``event_handler``, which quarantines what it cannot parse (never raising), tags its log lines
with the event's keys and raises transient AWS errors so that Lambda retries."""

from __future__ import annotations

import gzip
import json

import pytest
from botocore.exceptions import ClientError

from mlmeta_runtime.events import PipelineExecutionStatusEvent, PipelineStepStatusEvent
from mlmeta_runtime.settings import ConfigurationError, HandlerSettings
from runtime_world import HANDLER_ENV, HANDLER_PACKAGES, LAKE_BUCKET, FakeLambdaContext, load_event


def _skeleton(handlers, world, work):
    # Imported once the handlers are: the quarantine's logger joins the handlers' service at import.
    from mlmeta_runtime.handler import event_handler

    settings = handlers["tagger"].SETTINGS
    return event_handler(
        "skeleton-test",
        accepts=(PipelineExecutionStatusEvent, PipelineStepStatusEvent),
        settings=settings,
        logger=handlers["tagger"].logger,
        sqs=world.sqs,
        s3=world.s3,
        doing="testing the skeleton",
        log_keys=lambda event: {"event_id": event.id, "skeleton_key": event.detail_type},
    )(work)


def _quarantined(world, handlers):
    url = handlers["tagger"].SETTINGS.quarantine_queue_url
    return world.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get("Messages", [])


@pytest.mark.parametrize("package", HANDLER_PACKAGES)
def test_every_handler_is_built_by_the_skeleton(handlers, package):
    module = handlers[package]
    assert module.lambda_handler.handler_name == module.HANDLER
    assert module.lambda_handler.accepts == module.ACCEPTED
    assert isinstance(module.SETTINGS, HandlerSettings)


def test_a_malformed_event_is_quarantined_whole_and_the_work_never_runs(handlers, world, logs):
    calls = []
    handler = _skeleton(handlers, world, lambda event: calls.append(event) or {"status": "done"})
    raw = load_event("pipeline_execution_executing.json")
    raw["detail"]["currentPipelineExecutionStatus"] = "Dancing"

    answer = handler(raw, FakeLambdaContext())

    assert calls == [] and answer["status"] == "quarantined" and answer["event_id"] == raw["id"]
    (message,) = _quarantined(world, handlers)
    assert json.loads(message["Body"]) == raw
    assert message["MessageAttributes"]["handler"]["StringValue"] == "skeleton-test"
    assert any(raw["id"] in record["message"] for record in logs.at("ERROR"))


def test_an_oversized_malformed_event_is_kept_whole_in_the_quarantine_bucket(handlers, world):
    handler = _skeleton(handlers, world, lambda event: {"status": "done"})
    raw = {"id": "big-one", "detail-type": "not ours", "padding": "x" * (300 * 1024)}

    assert handler(raw, FakeLambdaContext())["status"] == "quarantined"

    (message,) = _quarantined(world, handlers)
    pointer = json.loads(message["Body"])["quarantined_event"]
    assert pointer["bucket"] == LAKE_BUCKET and pointer["event_id"] == "big-one"

    kept = world.s3.get_object(Bucket=LAKE_BUCKET, Key=pointer["key"])["Body"].read()
    assert json.loads(gzip.decompress(kept)) == raw


def test_a_parsed_event_reaches_the_work_with_its_log_keys(handlers, world, logs):
    def work(event):
        handlers["tagger"].logger.info("working")
        return {"status": "done", "id": event.id}

    raw = load_event("pipeline_step_train.json")
    assert _skeleton(handlers, world, work)(raw, FakeLambdaContext()) == {"status": "done", "id": raw["id"]}
    (line,) = [record for record in logs.records() if record["message"] == "working"]
    assert (line["event_id"], line["skeleton_key"]) == (raw["id"], raw["detail-type"])


def test_a_transient_aws_error_is_raised_so_that_lambda_retries(handlers, world, logs):
    def work(event):
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}, "ResponseMetadata": {"HTTPStatusCode": 400}}, "AddTags")

    with pytest.raises(ClientError):
        _skeleton(handlers, world, work)(load_event("pipeline_execution_executing.json"), FakeLambdaContext())
    assert _quarantined(world, handlers) == []
    (warning,) = [r for r in logs.at("WARNING") if "while testing the skeleton" in r["message"]]
    assert warning["error_class"] == "transient"


@pytest.mark.parametrize(
    ("package", "variable"),
    [("tagger", "QUARANTINE_QUEUE_URL"), ("naming_guard", "NOTICES_TOPIC_ARN"), ("snapshotter", "LAKE_BUCKET"), ("reconciler", "PIPELINE_NAMES")],
)
def test_each_handler_settings_model_requires_its_variables(handlers, package, variable):
    model = type(handlers[package].SETTINGS)
    environ = {name: value for name, value in HANDLER_ENV.items() if name != variable}
    with pytest.raises(ConfigurationError, match=f"^{variable} is not set: it must hold "):
        model.from_environ(environ)
    assert variable in model.needs()


def test_a_settings_model_is_typed_from_the_environment(handlers):
    settings = type(handlers["reconciler"].SETTINGS).from_environ({**HANDLER_ENV, "LOOKBACK_HOURS": "72"})
    assert settings.pipeline_names == tuple(json.loads(HANDLER_ENV["PIPELINE_NAMES"])) and settings.lookback_hours == 72
    assert settings.lake_bucket == HANDLER_ENV["LAKE_BUCKET"] and settings.environment == "dev"
    assert not hasattr(handlers["tagger"].SETTINGS, "lake_bucket")  # the tagger declares no lake
