"""A fixture lake generated once per session, its records as pandas frames, and a query runner.

The lake: 30 executions each of churn-prediction-dev and fraud-detection-dev, 9 h apart from
2026-01-05 (dt partitions 2026-01-05 .. 2026-01-16), with a drift of churn auc planted at run 22.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd
import pytest

from mlmeta.local.synthetic_lake import LakeRecords, generate_history, write_lake
from mlmeta.queries.catalog import NamedQuery, load_queries
from mlmeta.queries.local_engine import run_local
from mlmeta.queries.result import QueryResult
from query_fixtures import PLANTED_DRIFT, utc


@pytest.fixture(scope="session")
def history() -> LakeRecords:
    return generate_history(seed=11, use_cases=("churn-prediction", "fraud-detection"), executions=30, drift=PLANTED_DRIFT, naming_checks=24)


@pytest.fixture(scope="session")
def lake(history: LakeRecords, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("lake")
    write_lake(directory, history)
    return directory


@pytest.fixture(scope="session")
def queries() -> dict[str, NamedQuery]:
    return load_queries()


@pytest.fixture(scope="session")
def run_query(queries: dict[str, NamedQuery], lake: Path) -> Callable[..., QueryResult]:
    """``run_query(name, *params, lake=...)``: params as the CLI gives them (strings), typed by bind()."""

    def run(name: str, *params: object, lake: Path = lake) -> QueryResult:
        query = queries[name]
        return run_local(query, query.bind([str(p) for p in params]), lake)

    return run


@pytest.fixture(scope="session")
def metric_frame(history: LakeRecords) -> pd.DataFrame:
    return _with_dt(history.metric_snapshots, "execution_end")


@pytest.fixture(scope="session")
def component_frame(history: LakeRecords) -> pd.DataFrame:
    return _with_dt(history.component_snapshots, "execution_end")


@pytest.fixture(scope="session")
def audit_frame(history: LakeRecords) -> pd.DataFrame:
    return _with_dt(history.naming_audit, "checked_at")


def _with_dt(records: Iterable[Mapping[str, object]], time_column: str) -> pd.DataFrame:
    """The records as a frame with their ``dt`` partition: the UTC day of ``time_column``."""
    frame = pd.DataFrame(list(records))
    frame["dt"] = utc(frame[time_column]).dt.strftime("%Y-%m-%d")
    return frame

