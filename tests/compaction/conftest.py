"""A raw fixture lake (the query tests' history: two pipelines, 30 executions each, 12 days), copies of it
to compact, and a runner of the named queries."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from named_query_parameters import CHURN, parameters_for

from mlmeta.local.synthetic_lake import Drift, LakeRecords, generate_history, write_lake
from mlmeta.queries.catalog import NamedQuery, load_queries
from mlmeta.queries.local_engine import run_local
from mlmeta.queries.result import QueryResult


@pytest.fixture(scope="session")
def history() -> LakeRecords:
    drift = Drift(metric_name="auc", start_run=22, shift=-0.05, pipeline_name=CHURN)
    return generate_history(seed=11, use_cases=("churn-prediction", "fraud-detection"), executions=30, drift=drift, naming_checks=24)


@pytest.fixture(scope="session")
def raw_lake(history: LakeRecords, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("raw-lake")
    write_lake(directory, history)
    return directory


@pytest.fixture
def lake(raw_lake: Path, tmp_path: Path) -> Path:
    """A fresh copy of the raw lake that a test may compact and change."""
    return Path(shutil.copytree(raw_lake, tmp_path / "lake"))


@pytest.fixture(scope="session")
def queries() -> dict[str, NamedQuery]:
    return load_queries()


@pytest.fixture(scope="session")
def run_named(queries, history) -> Callable[[str, Path], QueryResult]:
    def run(name: str, lake: Path, params: list[str] | None = None) -> QueryResult:
        query = queries[name]
        return run_local(query, query.bind(params if params is not None else parameters_for(name, history)), lake)

    return run
