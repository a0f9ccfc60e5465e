"""Throttling and 5xx from SageMaker or S3 (botocore's Stubber answering with AWS's error shapes): the
handler raises so that Lambda retries the event, logs the error as transient, and leaves no snapshot,
audit object or notice behind. Everything not stubbed is moto."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber

from runtime_shapes import ANALYSIS_TRIAL, ENVIRONMENT_TRIAL, EXECUTION_ARN, search_request, search_response, trial_components
from runtime_world import CONTEXT, load_event

THROTTLED = ("ThrottlingException", "Rate exceeded", 400)
INTERNAL = ("InternalFailure", "We encountered an internal error. Please try again.", 500)
UNAVAILABLE = ("ServiceUnavailable", "Service Unavailable", 503)
SLOW_DOWN = ("SlowDown", "Please reduce your request rate.", 503)


def _raises_transient(handler, event, logs, code: str) -> None:
    with pytest.raises(ClientError) as raised:
        handler.lambda_handler(event, CONTEXT)
    assert raised.value.response["Error"]["Code"] == code
    warning = logs.at("WARNING")[-1]
    assert warning["error_class"] == "transient" and warning["error_code"] == code
    assert "raising so that Lambda retries" in warning["message"]


@pytest.mark.parametrize("error", [THROTTLED, INTERNAL], ids=["throttled", "5xx"])
def test_a_failing_first_search_writes_nothing(handlers, world, logs, error):
    snapshotter = handlers["snapshotter"]
    with Stubber(snapshotter.sagemaker) as stub:
        stub.add_client_error("search", *error, expected_params=search_request(ENVIRONMENT_TRIAL))
        _raises_transient(snapshotter, load_event("pipeline_execution_succeeded.json"), logs, error[0])
    assert world.lake() == {}


def test_a_failing_second_page_writes_nothing(handlers, world, logs):
    snapshotter = handlers["snapshotter"]
    with Stubber(snapshotter.sagemaker) as stub:
        stub.add_response("search", search_response(trial_components(ENVIRONMENT_TRIAL), "page-2"), search_request(ENVIRONMENT_TRIAL))
        stub.add_client_error("search", *UNAVAILABLE, expected_params=search_request(ENVIRONMENT_TRIAL, "page-2"))
        _raises_transient(snapshotter, load_event("pipeline_execution_succeeded.json"), logs, "ServiceUnavailable")
    assert world.lake() == {}


def test_a_throttled_steps_lookup_writes_nothing(handlers, world, logs):
    snapshotter = handlers["snapshotter"]
    with Stubber(snapshotter.sagemaker) as stub:
        for trial in (ENVIRONMENT_TRIAL, ANALYSIS_TRIAL):
            stub.add_response("search", search_response(trial_components(trial)), search_request(trial))
        stub.add_client_error("list_pipeline_execution_steps", *THROTTLED, expected_params={"PipelineExecutionArn": EXECUTION_ARN, "MaxResults": 100})
        _raises_transient(snapshotter, load_event("pipeline_execution_succeeded.json"), logs, "ThrottlingException")
    assert world.lake() == {}


def test_s3_slow_down_on_the_first_object_raises_before_the_completion_marker(handlers, world, logs):
    """S3 stubbed too: the component object's PutObject answers 503 SlowDown, and the metric object
    (the marker of a complete snapshot) is never attempted (an unqueued call would fail differently)."""
    snapshotter = handlers["snapshotter"]
    with Stubber(snapshotter.sagemaker) as sagemaker, Stubber(snapshotter.s3) as s3:
        for trial in (ENVIRONMENT_TRIAL, ANALYSIS_TRIAL):
            sagemaker.add_response("search", search_response(trial_components(trial, step_tags=True)), search_request(trial))
        s3.add_client_error("put_object", *SLOW_DOWN, expected_params={
            "Bucket": snapshotter.SETTINGS.lake_bucket, "Key": "raw/component_snapshots/dt=2026-01-02/p4jn9xou8a8s.json.gz",
            "Body": ANY, "ContentType": "application/gzip"})
        _raises_transient(snapshotter, load_event("pipeline_execution_succeeded.json"), logs, "SlowDown")
        s3.assert_no_pending_responses()
    assert world.lake() == {}


def test_a_throttled_tagger_raises_without_waiting(handlers, world, logs, monkeypatch):
    tagger = handlers["tagger"]
    monkeypatch.setattr(tagger, "sleep", lambda seconds: pytest.fail("throttling is not waited out by the tagger"))
    with Stubber(tagger.sagemaker) as stub:
        stub.add_client_error("describe_trial", *THROTTLED)
        _raises_transient(tagger, load_event("pipeline_execution_executing.json"), logs, "ThrottlingException")


def test_a_5xx_while_tagging_the_verdict_leaves_no_audit_and_no_notice(handlers, world, logs):
    guard = handlers["naming_guard"]
    with Stubber(guard.sagemaker) as stub:
        stub.add_client_error("add_tags", *INTERNAL)
        _raises_transient(guard, load_event("cloudtrail_create_trial_component_SYNTHETIC.json"), logs, "InternalFailure")
    assert world.lake() == {} and world.notices() == []


def test_a_5xx_from_s3_leaves_no_notice(handlers, world, logs):
    guard = handlers["naming_guard"]
    with Stubber(guard.sagemaker) as sagemaker, Stubber(guard.s3) as s3:
        sagemaker.add_response("add_tags", {"Tags": []})
        s3.add_client_error("put_object", "InternalError", "We encountered an internal error.", 500)
        _raises_transient(guard, load_event("cloudtrail_create_trial_component_SYNTHETIC.json"), logs, "InternalError")
    assert world.notices() == []


def test_a_throttled_reconciler_raises_and_keeps_its_sweep_marker(handlers, world, logs):
    reconciler = handlers["reconciler"]
    with Stubber(reconciler.sagemaker) as stub:
        stub.add_client_error("list_pipeline_executions", *THROTTLED)
        _raises_transient(reconciler, load_event("scheduled_event.json"), logs, "ThrottlingException")
    assert world.lake() == {}


def test_a_permanent_error_raises_too_and_is_logged_as_such(handlers, world, logs):
    tagger = handlers["tagger"]
    with Stubber(tagger.sagemaker) as stub:
        stub.add_client_error("describe_trial", "AccessDeniedException", "not authorized to perform sagemaker:DescribeTrial", 400)
        with pytest.raises(ClientError):
            tagger.lambda_handler(load_event("pipeline_execution_executing.json"), CONTEXT)
    error = logs.at("ERROR")[-1]
    assert error["error_class"] == "permanent" and error["error_code"] == "AccessDeniedException"
