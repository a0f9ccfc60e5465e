from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber


@pytest.fixture
def athena_client():
    # Dummy credentials: the Stubber answers every call, nothing leaves the process.
    return boto3.client(
        "athena", region_name="ap-northeast-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


@pytest.fixture
def athena_stub(athena_client) -> Iterator[Stubber]:
    with Stubber(athena_client) as stub:
        yield stub
        stub.assert_no_pending_responses()


class FakeClock:
    """Stands in for time.monotonic/time.sleep: sleeping advances the clock and is recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
