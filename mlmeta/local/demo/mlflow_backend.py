"""The demo on the MLflow backend (``mlmeta demo --backend mlflow``, docs/demo.md): the MLflow server the
evaluate step records trial 1.2 to and the snapshotter reads it from, as in an environment with
``tracking_backend="mlflow"`` (stg) whose tracking stack provisions the server.

- ``--mlflow-uri URL``: a running server, asked one question (``check_mlflow``) before the demo deletes or
  writes anything; one that does not answer as MLflow is the contract client's one-line ``MlflowError``;
- otherwise a real local server (``mlmeta.local.mlflow_server``: SQLite, 127.0.0.1, a free port) with
  its data in ``DIR/mlflow``, started before the embedded AWS and stopped once the events are replayed.
  Its first start creates the SQLite schema: 10 s on a quiet machine, minutes on a loaded one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mlmeta.config import EnvironmentSettings
from mlmeta.config.settings import MlflowSettings
from mlmeta.local.demo.output import DemoOutput
from mlmeta.local.demo.progress import Progress
from mlmeta.local.demo.settings import ENVIRONMENT, DemoSettings
from mlmeta.local.mlflow_server import DATABASE_FILE, LOG_FILE, running_mlflow_server
from mlmeta_contract.mlflow.backend import MLFLOW
from mlmeta_contract.mlflow.client import MlflowClient
from mlmeta_contract.naming import new

MLFLOW_DIR = "mlflow"  # under the demo's output directory
# The first start migrates the SQLite schema: up to 170 s seen on a loaded 2-core machine; past this, it is stuck.
STARTUP_TIMEOUT_SECONDS = 300.0
WAIT_LABEL = "waiting for the MLflow server to answer"


@dataclass(frozen=True)
class DemoMlflow:
    """The server the demo records to: ``data`` is the local server's directory, None for ``--mlflow-uri``."""

    tracking_uri: str
    data: Path | None = None

    def client(self) -> MlflowClient:
        return MlflowClient(self.tracking_uri)


def check_mlflow(tracking_uri: str, settings: DemoSettings) -> None:
    """Whether ``tracking_uri`` answers as MLflow (one GetExperimentByName: the pipeline experiment):
    ValueError when it is no http(s) URL, the contract's MlflowError (one line, what to check) otherwise."""
    if not tracking_uri.startswith(("http://", "https://")):
        # An ARN would need AWS credentials and the internet; the demo runs on neither.
        raise ValueError(f"the demo's MLflow tracking URI {tracking_uri!r} must be http(s)://host:port")
    MlflowClient(tracking_uri).get_experiment_by_name(new("pipeline-experiment", use_case=settings.use_case.name, env=ENVIRONMENT))


@contextmanager
def demo_mlflow(tracking_uri: str | None, output: DemoOutput, progress: Progress) -> Iterator[DemoMlflow]:
    """The server at ``tracking_uri`` (checked before ``output`` was prepared: check_mlflow), or a local
    one started in ``output``; one progress phase."""
    if tracking_uri is not None:
        progress.phase(f"recording trial 1.2 to the MLflow server at {tracking_uri}")
        yield DemoMlflow(tracking_uri)
        return
    directory = output.root / MLFLOW_DIR
    output.claim([directory / DATABASE_FILE, directory / LOG_FILE])  # listed before the server writes them
    progress.phase(f"starting a local MLflow server on 127.0.0.1 (SQLite: {directory / DATABASE_FILE}); 10 s to a few minutes")
    try:
        with running_mlflow_server(directory, timeout=STARTUP_TIMEOUT_SECONDS,
                                   waiting=lambda seconds: progress.waiting(WAIT_LABEL, seconds)) as server:
            yield DemoMlflow(server.tracking_uri, directory)
    finally:
        output.claim_tree(directory)  # whatever else it wrote there (a SQLite journal left by a kill)


def recording_to_mlflow(environment: EnvironmentSettings) -> EnvironmentSettings:
    """``environment`` as one recording to MLflow through a server its tracking stack provisions (stg's
    settings): the handlers get the backend's variables, the server's URI from the replayer's resources."""
    return dataclasses.replace(environment, tracking_backend=MLFLOW, mlflow=MlflowSettings(provision="app"))
