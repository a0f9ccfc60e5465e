"""Test support for the Lambda handlers: their environment, a moto account holding what they expect
(lake bucket, quarantine queue, notices topic), the event fixtures of tests/events/, and readers for
what the handlers left behind (lake objects, quarantined messages, notices, tags, log lines).

Handlers read their environment and create their boto3 clients once, at import (as in Lambda);
``import_handler`` sets the environment for that import only. moto is imported first so that the
clients created at import are served by moto while a ``mock_aws`` context is active.
"""

from __future__ import annotations

import functools
import importlib
import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import moto  # noqa: F401  (before any handler import: see the module docstring)
import pytest
from moto import mock_aws

from runtime_shapes import ACCOUNT, REGION

EVENTS_DIR = Path(__file__).resolve().parents[1] / "events"
LAKE_BUCKET = "mlmeta-dev-lake-test"
QUARANTINE_QUEUE = "mlmeta-dev-quarantine"
QUARANTINE_QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{QUARANTINE_QUEUE}"
NOTICES_TOPIC = "mlmeta-dev-notices"
NOTICES_TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:{NOTICES_TOPIC}"
# The test's own subscription to the notices topic, to read what was published.
NOTICES_INBOX = "notices-inbox"
SERVICE = "mlmeta-handlers-test"
PIPELINE_NAMES = ["churn-prediction-dev"]

HANDLER_ENV = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "ENVIRONMENT": "dev",
    "LAKE_BUCKET": LAKE_BUCKET,
    "QUARANTINE_QUEUE_URL": QUARANTINE_QUEUE_URL,
    "QUARANTINE_BUCKET": LAKE_BUCKET,
    "NOTICES_TOPIC_ARN": NOTICES_TOPIC_ARN,
    "PIPELINE_NAMES": json.dumps(PIPELINE_NAMES),
    "LOOKBACK_HOURS": "48",
    "POWERTOOLS_SERVICE_NAME": SERVICE,
    "POWERTOOLS_METRICS_NAMESPACE": "mlmeta",
}
HANDLER_PACKAGES = ("tagger", "naming_guard", "snapshotter", "reconciler")


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS_DIR / name).read_text(encoding="utf-8"))


def import_handler(package: str) -> ModuleType:
    """``<package>.handler``, imported with the handlers' environment (once per process)."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in HANDLER_ENV.items():
            patch.setenv(key, value)
        # The handlers' module-level clients come from boto3's default session, which caches the test
        # credentials it resolves: restore it, so later code in the process does not inherit them.
        patch.setattr(boto3, "DEFAULT_SESSION", None)
        return importlib.import_module(f"{package}.handler")


@dataclass(frozen=True)
class FakeLambdaContext:
    function_name: str = "mlmeta-dev-test"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:mlmeta-dev-test"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e812345678"


CONTEXT = FakeLambdaContext()


@dataclass(frozen=True)
class World:
    """The test's own clients on the moto account the handlers use."""

    s3: Any
    sqs: Any
    sns: Any
    sagemaker: Any

    def lake(self) -> dict[str, bytes]:
        listed = self.s3.list_objects_v2(Bucket=LAKE_BUCKET).get("Contents", [])
        return {o["Key"]: self.s3.get_object(Bucket=LAKE_BUCKET, Key=o["Key"])["Body"].read() for o in listed}

    def quarantined(self) -> list[dict[str, Any]]:
        return self._drain(QUARANTINE_QUEUE_URL)

    def notices(self) -> list[dict[str, Any]]:
        return [json.loads(message["Body"]) for message in self._drain(self.sqs.get_queue_url(QueueName=NOTICES_INBOX)["QueueUrl"])]

    def tags(self, arn: str) -> dict[str, str]:
        return {tag["Key"]: tag["Value"] for tag in self.sagemaker.list_tags(ResourceArn=arn).get("Tags", [])}

    def _drain(self, queue_url: str) -> list[dict[str, Any]]:
        messages = []
        while True:
            batch = self.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get("Messages", [])
            if not batch:
                return messages
            messages += batch
            for message in batch:
                self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


@functools.cache
def _test_clients() -> dict[str, Any]:
    # Created once: a boto3 client costs ~80 ms, and moto serves it in every mock_aws context.
    return {name: boto3.client(name, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
            for name in ("s3", "sqs", "sns", "sagemaker")}


@contextmanager
def moto_world() -> Iterator[World]:
    with mock_aws():
        clients = _test_clients()
        clients["s3"].create_bucket(Bucket=LAKE_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        queue_url = clients["sqs"].create_queue(QueueName=QUARANTINE_QUEUE)["QueueUrl"]
        assert queue_url == QUARANTINE_QUEUE_URL, queue_url
        topic_arn = clients["sns"].create_topic(Name=NOTICES_TOPIC)["TopicArn"]
        inbox_url = clients["sqs"].create_queue(QueueName=NOTICES_INBOX)["QueueUrl"]
        inbox_arn = clients["sqs"].get_queue_attributes(QueueUrl=inbox_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        clients["sns"].subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=inbox_arn, Attributes={"RawMessageDelivery": "true"})
        yield World(**clients)


class LogLines:
    """The handlers' Powertools log output (JSON lines), captured while the fixture is active."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.buffer.getvalue().splitlines() if line.strip()]

    def at(self, level: str) -> list[dict[str, Any]]:
        return [record for record in self.records() if record.get("level") == level]


@contextmanager
def captured_logs() -> Iterator[LogLines]:
    lines = LogLines()
    handlers = logging.getLogger(SERVICE).handlers
    previous = [handler.setStream(lines.buffer) for handler in handlers if isinstance(handler, logging.StreamHandler)]
    try:
        yield lines
    finally:
        for handler, stream in zip([h for h in handlers if isinstance(h, logging.StreamHandler)], previous):
            handler.setStream(stream)
