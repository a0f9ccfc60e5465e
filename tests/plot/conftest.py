"""A fixture lake with a planted drift, generated once per session.

60 daily executions of churn-prediction-dev from 2026-01-05; auc drops by 0.05 from run 45.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from plot_fixtures import EXECUTIONS, PLANTED_DRIFT, USE_CASE

from mlmeta.local.synthetic_lake import LakeRecords, generate_history, write_lake


@pytest.fixture(scope="session")
def history() -> LakeRecords:
    return generate_history(seed=31, use_cases=(USE_CASE,), executions=EXECUTIONS, spacing=timedelta(days=1), drift=PLANTED_DRIFT)


@pytest.fixture(scope="session")
def lake(history: LakeRecords, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("lake")
    write_lake(directory, history)
    return directory
