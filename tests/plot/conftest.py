"""A fixture lake with a planted drift, generated once per session.

60 daily executions of churn-prediction-dev from 2026-01-05; auc drops by 0.05 from run 45.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from plot_fixtures import EXECUTIONS, PLANTED_DRIFT, USE_CASE

from mlmeta.lake.synthetic import LakeRecords, generate_history, write_lake

# The Athena engine's test helpers, imported from tests/athena (see tests/analytics/conftest.py).
ATHENA_TESTS = Path(__file__).resolve().parents[1] / "athena"
sys.path.insert(0, str(ATHENA_TESTS))
_spec = importlib.util.spec_from_file_location("athena_tests_conftest", ATHENA_TESTS / "conftest.py")
_athena_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_athena_fixtures)
athena_client = _athena_fixtures.athena_client
athena_stub = _athena_fixtures.athena_stub


@pytest.fixture(scope="session")
def history() -> LakeRecords:
    return generate_history(seed=31, use_cases=(USE_CASE,), executions=EXECUTIONS, spacing=timedelta(days=1), drift=PLANTED_DRIFT)


@pytest.fixture(scope="session")
def lake(history: LakeRecords, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("lake")
    write_lake(directory, history)
    return directory
