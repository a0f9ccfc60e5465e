"""Fixtures of the mlmeta.track tests: one embedded AWS (moto server) per module, reset before each
test, reached the way a notebook reaches AWS: the environment (AWS_ENDPOINT_URL, dummy credentials),
so ``mlmeta.track(...)`` runs with no argument naming the emulator. SageMaker Search is answered as
AWS documents it, and the entities are created and the metrics logged as on AWS
(``mlmeta.local.moto_gaps``: ``sagemaker_like_aws``, ``creates_like_aws``, ``steps_optional``)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from mlmeta.config import get_environment
from mlmeta.local.emulator import DUMMY_CREDENTIALS, embedded_moto
from mlmeta.local.moto_gaps import creates_like_aws, sagemaker_like_aws, steps_optional

REGION = get_environment("dev").region


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with embedded_moto() as url, sagemaker_like_aws(), creates_like_aws(), steps_optional():
        yield url


@pytest.fixture
def local_aws(endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path) -> str:
    """The embedded AWS, emptied, as the process's AWS: its URL."""
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10).close()
    for key, value in DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    # Nobody's profile or config file decides anything here.
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.delenv("MLMETA_TRACKING_BACKEND", raising=False)
    monkeypatch.delenv("MLMETA_NAMING_CONVENTION", raising=False)
    return endpoint


@pytest.fixture
def sagemaker(local_aws: str) -> Any:
    return boto3.client("sagemaker")


class CallCounter:
    """Every AWS API call a boto3 session makes, as ``service.Operation``."""

    def __init__(self, session: boto3.session.Session) -> None:
        self.calls: list[str] = []
        session.events.register("before-call", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.calls.append(f"{model.service_model.service_name}.{model.name}")


@pytest.fixture
def call_counter() -> type[CallCounter]:
    return CallCounter


@pytest.fixture
def counted_session(local_aws: str) -> tuple[boto3.session.Session, CallCounter]:
    session = boto3.session.Session()
    return session, CallCounter(session)
