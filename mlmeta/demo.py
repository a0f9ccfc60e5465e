"""The local demo: a synthetic history of pipeline executions in a lake directory, queried with the named queries.

Needs no AWS account: the lake is a local directory laid out like the bucket and the queries run on
DuckDB. (The event-driven path, with an embedded AWS and replayed events, comes with the demo issue.)
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from mlmeta.lake.synthetic import DEFAULT_START, Drift, generate_history, write_lake
from mlmeta.queries.catalog import load_queries
from mlmeta.queries.local_engine import run_local
from mlmeta.queries.result import QueryResult

USE_CASE = "churn-prediction"
ENVIRONMENT = "dev"
PIPELINE = f"{USE_CASE}-{ENVIRONMENT}"
METRIC = "auc"
SPACING = timedelta(days=1)


@dataclass(frozen=True)
class DemoSettings:
    executions: int = 120
    drift_start_run: int = 100
    drift_shift: float = -0.06
    seed: int = 7
    window_size: int = 10
    z_threshold: float = 3.0
    min_value: float = 0.85


@dataclass(frozen=True)
class DemoReport:
    lake: Path
    objects_written: int
    results: dict[str, QueryResult]


def run_demo(out: Path, settings: DemoSettings = DemoSettings(), progress: Callable[[str], None] = print) -> DemoReport:
    """Write the demo lake under ``out/lake`` (replacing any earlier one) and run the named queries on it."""
    lake = out / "lake"
    if lake.exists():
        shutil.rmtree(lake)
    progress(f"[1/3] generating {settings.executions} executions of {PIPELINE} (drift planted from run {settings.drift_start_run})")
    records = generate_history(
        seed=settings.seed,
        use_cases=(USE_CASE,),
        environment=ENVIRONMENT,
        executions=settings.executions,
        spacing=SPACING,
        drift=Drift(metric_name=METRIC, start_run=settings.drift_start_run, shift=settings.drift_shift),
    )
    progress(f"[2/3] writing the lake to {lake}")
    written = write_lake(lake, records)
    first_dt = DEFAULT_START.date().isoformat()
    last_dt = (DEFAULT_START + SPACING * (settings.executions + 1)).date().isoformat()
    queries = load_queries()
    calls = {
        "metric_history": [PIPELINE, METRIC, first_dt, last_dt],
        "metric_drift": [PIPELINE, METRIC, first_dt, last_dt, settings.window_size, settings.z_threshold, settings.min_value],
        "latest_metrics": [first_dt],
        "naming_violations": [first_dt],
    }
    progress(f"[3/3] running {len(calls)} named queries on DuckDB")
    results = {name: run_local(queries[name], values, lake) for name, values in calls.items()}
    return DemoReport(lake=lake, objects_written=len(written), results=results)
