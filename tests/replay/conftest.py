"""Fixtures of the replay tests: one embedded moto server per module (starting one costs ~0.3 s), reset
before each test, and a Replayer of the dev environment on it.

The handler tests' helpers (tests/runtime: moto_gaps.py, runtime_shapes.py) put the fixture execution
into moto; mlmeta.local.moto_gaps fills what moto 5.2 cannot say about it (Search without
Metrics/Source, no ListPipelineExecutionSteps). They are imported, not copied.
"""

from __future__ import annotations

import io
import sys
import urllib.request
from pathlib import Path

import pytest

RUNTIME_TESTS = Path(__file__).resolve().parents[1] / "runtime"
if str(RUNTIME_TESTS) not in sys.path:
    sys.path.append(str(RUNTIME_TESTS))

from mlmeta.config import get_environment  # noqa: E402
from mlmeta.local.emulator import clients, embedded_moto  # noqa: E402
from mlmeta.local.replay import Replayer  # noqa: E402

SETTINGS = get_environment("dev")


@pytest.fixture(scope="module")
def endpoint():
    with embedded_moto() as url:
        yield url


@pytest.fixture
def aws(endpoint):
    """The test's own clients on the server, after a reset (other tests in this process may use moto too)."""
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10).close()
    return clients(endpoint, SETTINGS.region, "s3", "sqs", "sagemaker", "sagemaker-metrics")


@pytest.fixture
def handler_logs() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def replayer(aws, endpoint, handler_logs) -> Replayer:
    return Replayer(SETTINGS, endpoint, log_stream=handler_logs)
