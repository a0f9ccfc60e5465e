"""Process-wide test settings. Set before any test module imports aws_cdk."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from mlmeta.local.mlflow_server import LocalMlflowServer, running_mlflow_server

# CDK's built-in CloudFormation validation costs ~2 s per synth; `make synth` runs it, the tests rely
# on cfn-lint instead. cdk-nag (a validation plugin too) still runs with this set.
os.environ.setdefault("CDK_VALIDATION", "false")
os.environ.setdefault("CDK_DISABLE_CLI_TELEMETRY", "true")
# The machines run Node 20 (pinned by the platform); jsii's end-of-life banner would bury test output.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


# Athena's documented response shapes (tests/athena/athena_shapes.py) and a Stubber-wrapped client serve
# the Athena tests of the query command, the analytics API and the plot command alike.
sys.path.insert(0, str(Path(__file__).resolve().parent / "athena"))


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


# One real MLflow tracking server for the whole session (startup takes 10-60 s on a loaded machine):
# every MLflow test shares it, each in its own experiments. It is never skipped: if it cannot start,
# the fixture errors with the server's log path (MlflowServerError says it).
@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalMlflowServer]:
    # A generous start-up limit: the first start migrates the SQLite schema, slow on a loaded machine.
    with running_mlflow_server(tmp_path_factory.mktemp("mlflow-server"), timeout=600) as server:
        yield server
