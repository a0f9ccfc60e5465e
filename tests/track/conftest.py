"""Fixtures of the mlmeta.track tests: one embedded AWS (moto server) per module, reset before each
test, reached the way a notebook reaches AWS: the environment (AWS_ENDPOINT_URL, dummy credentials),
so ``mlmeta.track(...)`` runs with no argument naming the emulator. SageMaker Search is answered as
AWS documents it (``mlmeta.local.moto_gaps.sagemaker_like_aws``: moto's Search lacks metrics and
the experiment filter). Two more gaps of moto 5.2, of the same kind (for mlmeta/local's moto gaps
when they move there), are filled below: its CreateExperiment, CreateTrial and CreateTrialComponent
drop the ``Tags`` and silently replace an entity of the same name (AWS refuses with a
ValidationException "... already exists", which the SDK's Run and mlmeta.track rely on to reuse it):
``creates_like_aws``; and its BatchPutMetrics fails on a value without a
``Step``, which AWS documents as optional (``steps_optional``: such a value is stored after the
metric's others, so values accumulate and the last one logged is ``Last``, as on AWS)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

import boto3
import pytest
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemakermetrics.models import SageMakerMetricsBackend

from mlmeta.config import get_environment
from mlmeta.local.emulator import DUMMY_CREDENTIALS, embedded_moto
from mlmeta.local.moto_gaps import sagemaker_like_aws

REGION = get_environment("dev").region


# Create call -> (its name parameter, moto's store of the entities, the answer's ARN key, the entity in words)
_CREATE_CALLS = {
    "create_experiment": ("ExperimentName", "experiments", "ExperimentArn", "Experiment"),
    "create_trial": ("TrialName", "trials", "TrialArn", "Trial"),
    "create_trial_component": ("TrialComponentName", "trial_components", "TrialComponentArn", "Trial component"),
}


@contextmanager
def creates_like_aws() -> Iterator[None]:
    """While active, moto's Create* of an experiment entity refuse an existing name and keep the Tags."""

    def like_aws(create: Any, name_key: str, store: str, arn_key: str, entity: str) -> Any:
        def created(response: SageMakerResponse) -> Any:
            name = response._get_param(name_key)
            if name in getattr(response.sagemaker_backend, store):
                raise ValidationError(f"{entity} '{name}' already exists.")
            result = create(response)
            tags = response._get_param("Tags")
            if tags:
                response.sagemaker_backend.add_tags(result.result[arn_key], tags)
            return result

        return created

    with ExitStack() as stack:
        for method, keys in _CREATE_CALLS.items():
            original = getattr(SageMakerResponse, method)
            stack.enter_context(mock.patch.object(SageMakerResponse, method, like_aws(original, *keys)))
        yield


_ORIGINAL_BATCH_PUT_METRICS = SageMakerMetricsBackend.batch_put_metrics


def _batch_put_metrics(backend: SageMakerMetricsBackend, trial_component_name: str, metric_data: list[dict[str, Any]]) -> Any:
    component = backend.sagemaker_backend.trial_components.get(trial_component_name)
    data = []
    for datum in metric_data:
        if "Step" not in datum and component is not None:
            known = component.metrics.get(datum["MetricName"], {}).get("Values", {})
            taken = [*known, *(d["Step"] for d in data if d["MetricName"] == datum["MetricName"])]
            datum = {**datum, "Step": max(taken, default=-1) + 1}
        data.append(datum)
    return _ORIGINAL_BATCH_PUT_METRICS(backend, trial_component_name, data)


@contextmanager
def steps_optional() -> Iterator[None]:
    with mock.patch.object(SageMakerMetricsBackend, "batch_put_metrics", _batch_put_metrics):
        yield


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
