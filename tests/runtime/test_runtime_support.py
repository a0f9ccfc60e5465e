"""The handlers' shared pieces: settings from the environment, backoff, the AWS error policy, the lake
writer and the job-component naming."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.stub import Stubber

from mlmeta.config import get_environment
from mlmeta.events import handlers as stack_handlers
from mlmeta_contract.handlers import LAKE_BUCKET, NOTICES_TOPIC_ARN, PIPELINE_NAMES, QUARANTINE_BUCKET, QUARANTINE_QUEUE_URL
from mlmeta_contract.lake.schema import METRIC_SNAPSHOTS
from mlmeta_runtime.errors import is_not_found, is_transient
from mlmeta_runtime.jobs import job_component_name, looks_like_job_component
from mlmeta_runtime.lake_writer import LakeObject, write_objects
from mlmeta_runtime.retry import Backoff, GaveUp, with_backoff
from mlmeta_runtime.settings import ConfigurationError, load_settings
from runtime_shapes import EXECUTION_ARN, execution_steps_response, job_arn
from snapshotter.snapshot import execution_steps

BASE_ENV = {"ENVIRONMENT": "dev", "LAKE_BUCKET": "lake", "QUARANTINE_QUEUE_URL": "https://q", "NOTICES_TOPIC_ARN": "arn:t"}


def _client_error(code: str, status: int, message: str = "") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


# --- settings ----------------------------------------------------------------------------------


def test_settings_hold_what_the_handler_needs():
    settings = load_settings({**BASE_ENV, "PIPELINE_NAMES": '["churn-prediction-dev", "fraud-dev"]', "LOOKBACK_HOURS": "72"},
                             needs=("LAKE_BUCKET", "PIPELINE_NAMES"))

    assert (settings.environment, settings.lake_bucket, settings.metrics_namespace) == ("dev", "lake", "mlmeta")
    assert settings.pipeline_names == ("churn-prediction-dev", "fraud-dev") and settings.lookback_hours == 72


def test_the_environment_the_stack_writes_is_the_one_the_runtime_reads_and_every_handler_gets_the_quarantine_bucket():
    # mlmeta.events.handlers writes the variables the stack and replay give; mlmeta_runtime.settings reads them.
    resources = stack_handlers.EventResources(lake_bucket="lake", quarantine_queue_url="https://q", notices_topic_arn="arn:t")
    for spec in stack_handlers.HANDLERS:
        environment = stack_handlers.handler_environment(spec, get_environment("dev"), resources)
        assert environment[QUARANTINE_BUCKET] == "lake", spec.name
    reconciler = stack_handlers.handler_environment(stack_handlers.RECONCILER, get_environment("dev"), resources)
    loaded = load_settings(reconciler, needs=(LAKE_BUCKET, NOTICES_TOPIC_ARN, PIPELINE_NAMES, QUARANTINE_QUEUE_URL, QUARANTINE_BUCKET))
    assert (loaded.environment, loaded.lake_bucket, loaded.notices_topic_arn, loaded.quarantine_bucket) == ("dev", "lake", "arn:t", "lake")
    assert loaded.pipeline_names == stack_handlers.environment_pipeline_names(get_environment("dev"))
    assert loaded.lookback_hours == stack_handlers.RECONCILER_LOOKBACK_HOURS and loaded.metrics_namespace == "mlmeta"


def test_the_quarantine_bucket_is_required_when_a_handler_needs_it():
    with pytest.raises(ConfigurationError, match="QUARANTINE_BUCKET is not set: it must hold the bucket that keeps events too large"):
        load_settings(BASE_ENV, needs=("QUARANTINE_QUEUE_URL", "QUARANTINE_BUCKET"))
    assert load_settings({**BASE_ENV, "QUARANTINE_BUCKET": "lake"}, needs=("QUARANTINE_BUCKET",)).quarantine_bucket == "lake"


@pytest.mark.parametrize(
    ("change", "needs", "message"),
    [
        ({"LAKE_BUCKET": ""}, ("LAKE_BUCKET",), "LAKE_BUCKET is not set: it must hold the lake bucket's name"),
        ({"ENVIRONMENT": "qa"}, (), "ENVIRONMENT='qa' is not an environment of the naming convention (dev, stg, prod)"),
        ({"PIPELINE_NAMES": "churn-prediction-dev"}, ("PIPELINE_NAMES",), "PIPELINE_NAMES is not valid JSON"),
        ({"PIPELINE_NAMES": '{"a": 1}'}, ("PIPELINE_NAMES",), "PIPELINE_NAMES must be a JSON list of strings"),
        ({"PIPELINE_NAMES": '["Churn-dev"]'}, ("PIPELINE_NAMES",), "'Churn-dev' is not a compliant pipeline name [uppercase]"),
        ({"PIPELINE_NAMES": '["churn-prod"]'}, ("PIPELINE_NAMES",), "'churn-prod' belongs to prod, not to ENVIRONMENT=dev"),
        ({"LOOKBACK_HOURS": "0"}, (), "LOOKBACK_HOURS must be a whole number of hours from 1 to 744, got '0'"),
        ({"MLMETA_NAMING_CONVENTION": '{"max_length": 500}'}, (), "MLMETA_NAMING_CONVENTION: invalid naming convention"),
    ],
)
def test_a_bad_setting_fails_with_one_line_naming_the_variable(change, needs, message):
    with pytest.raises(ConfigurationError) as raised:
        load_settings({**BASE_ENV, **change}, needs=needs)

    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_an_organisations_convention_comes_from_the_environment():
    convention = json.dumps({"environments": ["sandbox", "live"]})

    settings = load_settings({**BASE_ENV, "ENVIRONMENT": "live", "MLMETA_NAMING_CONVENTION": convention})

    assert settings.convention.environments == ("sandbox", "live")


# --- backoff -----------------------------------------------------------------------------------


def test_backoff_doubles_up_to_its_cap():
    assert Backoff(attempts=7, first_delay=1, factor=2, max_delay=10).delays() == (1, 2, 4, 8, 10, 10)
    assert Backoff(attempts=1).delays() == ()


def test_with_backoff_retries_only_what_it_is_told_to():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise KeyError("not yet")
        return "done"

    waited: list[float] = []
    assert with_backoff(flaky, retry_if=lambda e: isinstance(e, KeyError), what="x", sleep=waited.append) == "done"
    assert waited == [1.0, 2.0]
    with pytest.raises(ValueError):
        with_backoff(lambda: int("x"), retry_if=lambda e: isinstance(e, KeyError), what="x", sleep=waited.append)
    with pytest.raises(GaveUp, match="x: still failing after 2 attempts over 1 s") as raised:
        with_backoff(lambda: {}["k"], retry_if=lambda e: True, what="x", backoff=Backoff(attempts=2), sleep=lambda s: None)
    assert isinstance(raised.value.__cause__, KeyError)


# --- error policy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "transient", "not_found"),
    [
        (_client_error("ThrottlingException", 400), True, False),
        (_client_error("SlowDown", 503), True, False),
        (_client_error("InternalFailure", 500), True, False),
        (_client_error("SomethingNew", 502), True, False),
        (EndpointConnectionError(endpoint_url="https://api.sagemaker"), True, False),
        (_client_error("ResourceNotFound", 400), False, True),
        (_client_error("ValidationException", 400, "Could not find trial 'x'."), False, True),
        (_client_error("404", 404), False, True),
        (_client_error("ValidationException", 400, "1 validation error detected"), False, False),
        (_client_error("AccessDeniedException", 400), False, False),
    ],
)
def test_errors_are_classified(error, transient, not_found):
    assert (is_transient(error), is_not_found(error)) == (transient, not_found)


# --- lake writer -------------------------------------------------------------------------------


def test_a_record_off_the_schema_fails_before_anything_is_written():
    written = []

    class S3:
        def put_object(self, **kwargs):
            written.append(kwargs["Key"])

    good = {name: None for name in METRIC_SNAPSHOTS.column_names}
    bad = {**good, "extra": 1}
    objects = [LakeObject(METRIC_SNAPSHOTS, "2026-01-02", "a", (good,)), LakeObject(METRIC_SNAPSHOTS, "2026-01-02", "b", (bad,))]

    with pytest.raises(ValueError, match=r"metric_snapshots record does not match the schema: \['extra'\]"):
        write_objects(S3(), "lake", objects)
    assert written == []


# --- job components and steps -------------------------------------------------------------------


def test_a_jobs_component_is_named_after_the_job():
    assert job_component_name(job_arn("train")) == "pipelines-p4jn9xou8a8s-train-8fk2mq0zle-aws-training-job"
    assert looks_like_job_component("pipelines-p4jn9xou8a8s-preprocess-tmgxry49ug-aws-processing-job")
    assert not looks_like_job_component("churn-prediction-dev-p4jn9xou8a8s-analysis-evaluation")
    with pytest.raises(ValueError):
        job_component_name("arn:aws:sagemaker:ap-northeast-1:123456789012:model/x")


def test_the_steps_lookup_pages_through_list_pipeline_execution_steps(handlers):
    """Stubber: moto has no ListPipelineExecutionSteps; the responses follow AWS's documented shape."""
    client = handlers["snapshotter"].sagemaker
    steps = execution_steps_response()["PipelineExecutionSteps"]
    with Stubber(client) as stub:
        stub.add_response("list_pipeline_execution_steps", {"PipelineExecutionSteps": steps[:2], "NextToken": "t2"},
                          {"PipelineExecutionArn": EXECUTION_ARN, "MaxResults": 100})
        stub.add_response("list_pipeline_execution_steps", {"PipelineExecutionSteps": steps[2:]},
                          {"PipelineExecutionArn": EXECUTION_ARN, "MaxResults": 100, "NextToken": "t2"})

        lookup = execution_steps(client)(EXECUTION_ARN)

        stub.assert_no_pending_responses()
    assert lookup[job_arn("train").lower()] == "train" and lookup[job_arn("preprocess").lower()] == "preprocess"
    assert len(lookup) == 3  # evaluation's processing job too; the condition step runs no job
