"""One small demo (38 daily executions, the default seed) run once per test session and shared: a run
costs a few seconds (an embedded moto server, the handlers, DuckDB, matplotlib)."""

from __future__ import annotations

import io

import pytest

from demo_fixtures import SMALL

from mlmeta.local.demo.progress import Progress
from mlmeta.local.demo.run import PHASES, run_demo


@pytest.fixture(scope="session")
def small_demo_progress() -> io.StringIO:
    return io.StringIO()


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory, small_demo_progress):
    return run_demo(tmp_path_factory.mktemp("demo") / "out", SMALL, Progress(small_demo_progress, phases=PHASES))
