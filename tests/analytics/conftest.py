"""A fixture lake generated once per session, and its raw records as pandas frames.

The lake: 40 executions each of churn-prediction-dev and fraud-detection-dev, 9 h apart from
2026-01-05 (dt partitions 2026-01-05 .. 2026-01-20), with a drift of churn auc planted at run 30.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from analytics_fixtures import OTHER_USE_CASE, PLANTED_DRIFT, USE_CASE

from mlmeta.local.synthetic_lake import LakeRecords, generate_history, write_lake


@pytest.fixture(scope="session")
def history() -> LakeRecords:
    return generate_history(seed=23, use_cases=(USE_CASE, OTHER_USE_CASE), executions=40, drift=PLANTED_DRIFT)


@pytest.fixture(scope="session")
def lake(history: LakeRecords, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("lake")
    write_lake(directory, history)
    return directory


def with_dt(records) -> pd.DataFrame:
    frame = pd.DataFrame(list(records))
    frame["dt"] = pd.to_datetime(frame["execution_end"], utc=True, format="ISO8601").dt.strftime("%Y-%m-%d")
    return frame


@pytest.fixture(scope="session")
def metric_frame(history: LakeRecords) -> pd.DataFrame:
    return with_dt(history.metric_snapshots)


@pytest.fixture(scope="session")
def component_frame(history: LakeRecords) -> pd.DataFrame:
    return with_dt(history.component_snapshots)
