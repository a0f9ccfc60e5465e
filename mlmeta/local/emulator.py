"""The AWS that ``mlmeta replay`` talks to: an embedded moto server on 127.0.0.1 (the default) or an
emulator at a given endpoint, holding what the events stack would provide (the lake bucket, the
quarantine queue, the notices topic).

Replay never uses real AWS: it always sends dummy credentials, and refuses an ``amazonaws.com`` endpoint.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from mlmeta.config import EnvironmentSettings
from mlmeta.events.handlers import EventResources
from mlmeta_contract.resources import resource_name

# moto's default account; the adapted event fixtures use it too.
LOCAL_ACCOUNT = "123456789012"
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
# Replay's own clients fail fast on a wrong endpoint instead of retrying for a minute.
SETUP_CONFIG = Config(connect_timeout=3, read_timeout=30, retries={"max_attempts": 2, "mode": "standard"})


class LocalAwsError(RuntimeError):
    """The endpoint is unusable (unreachable, not an emulator, refuses the setup); the message says why."""


@dataclass(frozen=True)
class LocalNames:
    """Names of the stand-ins for the events stack's resources."""

    lake_bucket: str
    quarantine_queue: str
    notices_topic: str

    @classmethod
    def of(cls, settings: EnvironmentSettings) -> LocalNames:
        name = settings.name
        return cls(lake_bucket=resource_name(name, "lake"), quarantine_queue=resource_name(name, "quarantine"), notices_topic=resource_name(name, "notices"))


def check_endpoint(url: str) -> str:
    """``url`` if it is an http(s) URL of an emulator; LocalAwsError otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LocalAwsError(f"endpoint {url!r} is not an http(s) URL such as http://127.0.0.1:5000")
    if parts.hostname.endswith(("amazonaws.com", "amazonaws.com.cn")):
        raise LocalAwsError(f"endpoint {url!r} is real AWS; replay runs only against an emulator (moto, LocalStack)")
    return url


@contextmanager
def embedded_moto() -> Iterator[str]:
    """A moto server on 127.0.0.1 with a free port for the duration of the block; yields its URL."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as err:  # moto is a development dependency
        raise LocalAwsError(
            f"the embedded AWS needs moto[server] ({err.name} is missing): pip install 'moto[server]', or give --endpoint"
        ) from None
    from mlmeta.local.moto_gaps import missing_entities_not_found

    # werkzeug logs every request at INFO and the server's own tracebacks at ERROR ("Error on request:");
    # the handlers see the answer (a 500), and their log lines and replay's are what matters on stderr.
    requests_log = logging.getLogger("werkzeug")
    level = requests_log.level
    requests_log.setLevel(logging.CRITICAL + 1)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        with missing_entities_not_found():
            host, port = server.get_host_and_port()
            yield f"http://{host}:{port}"
    finally:
        server.stop()
        requests_log.setLevel(level)


def emulator_environment(endpoint: str, region: str) -> dict[str, str]:
    """The variables a handler run in this process gets besides its function's own: dummy credentials,
    the emulator as every service's endpoint, the region, and no instance metadata to fall back on."""
    return {
        **DUMMY_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@functools.cache
def _service_models() -> Any:
    return botocore.session.Session().get_component("data_loader")


def new_session(**kwargs: Any) -> boto3.session.Session:
    """A boto3 session like any other, except that it shares the service models already loaded: each new
    session would otherwise parse them again (about 0.1 s for SageMaker's)."""
    core = botocore.session.Session()
    core.register_component("data_loader", _service_models())
    return boto3.session.Session(botocore_session=core, **kwargs)


def clients(endpoint: str, region: str, *services: str, config: Config | None = None) -> dict[str, Any]:
    session = new_session(
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"],
        region_name=region,
    )
    return {service: session.client(service, endpoint_url=endpoint, config=config) for service in services}


def ensure_resources(aws: Mapping[str, Any], names: LocalNames, region: str, endpoint: str) -> EventResources:
    """Create the bucket, queue and topic unless they exist (``aws``: s3, sqs and sns clients on
    ``endpoint``); their names, URL and ARN for the handlers."""
    try:
        _ensure_bucket(aws["s3"], names.lake_bucket, region)
        queue_url = aws["sqs"].create_queue(QueueName=names.quarantine_queue)["QueueUrl"]
        topic_arn = aws["sns"].create_topic(Name=names.notices_topic)["TopicArn"]
    except (BotoCoreError, ClientError) as err:
        raise LocalAwsError(f"cannot set up the lake bucket, quarantine queue and topic at {endpoint}: {_one_line(err)}") from None
    return EventResources(lake_bucket=names.lake_bucket, quarantine_queue_url=queue_url, notices_topic_arn=topic_arn)


def export_bucket(s3: Any, bucket: str, directory: Path) -> int:
    """Copy every object of ``bucket`` to ``directory/<key>``; the number of objects copied."""
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            key = PurePosixPath(item["Key"])
            if key.is_absolute() or ".." in key.parts or not key.parts:
                raise LocalAwsError(f"refusing to copy object {item['Key']!r}: not a relative key")
            target = directory.joinpath(*key.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
            count += 1
    return count


def _ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
        return
    except ClientError as err:
        if str(err.response.get("Error", {}).get("Code")) not in ("404", "NoSuchBucket", "NotFound"):
            raise
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **location)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())
