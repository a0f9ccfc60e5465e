"""One small demo (38 daily executions, the default seed) run once per test session and shared: a run
costs a few seconds (an embedded moto server, the handlers, DuckDB, matplotlib). Its twin on the MLflow
backend records to the session's MLflow server (tests/conftest.py), so no second server starts."""

from __future__ import annotations

import io

import pytest

from demo_fixtures import SMALL, SMALL_ON_MLFLOW

from mlmeta.local.demo.progress import Progress
from mlmeta.local.demo.run import PHASES, phase_count, run_demo


@pytest.fixture(scope="session")
def small_demo_progress() -> io.StringIO:
    return io.StringIO()


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory, small_demo_progress):
    return run_demo(tmp_path_factory.mktemp("demo") / "out", SMALL, Progress(small_demo_progress, phases=PHASES))


@pytest.fixture(scope="session")
def small_mlflow_demo_progress() -> io.StringIO:
    return io.StringIO()


@pytest.fixture(scope="session")
def small_mlflow_demo(tmp_path_factory, small_mlflow_demo_progress, mlflow_server):
    progress = Progress(small_mlflow_demo_progress, phases=phase_count(SMALL_ON_MLFLOW))
    return run_demo(tmp_path_factory.mktemp("demo-mlflow") / "out", SMALL_ON_MLFLOW, progress, mlflow_uri=mlflow_server.tracking_uri)
