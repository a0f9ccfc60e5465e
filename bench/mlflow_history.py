"""The lake's generated history as MLflow holds it, loaded into a real MLflow server's own schema.

The mapping is the convention applied to MLflow (issue 10): one MLflow experiment per pipeline, named as
the pipeline's experiment (``{usecase}-{env}-pipeline``); one run per component of the execution's
analysis trial (``evaluation``, ``threshold-tuning``), named as the trial component, with the component's
start and end, its parameters, its metrics (``timestamp`` = the lake's ``metric_time``) and the
convention's tags. The execution's status and end, which the lake's rows carry, ride as tags too: an
analyst asking MLflow needs them to order and bound executions as the lake does.

Loading is not what is measured: 100k executions through REST, one ``log_batch`` each, take hours on this
machine. The experiments are created through the running server (REST); the runs are then inserted in
bulk with MLflow's own table definitions (``mlflow.store.tracking.dbmodels.models``) into the SQLite file
the server created and serves, so the server answers the questions from exactly what it would have stored.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

Record = dict[str, Any]

KIND_TAG = "mlmeta:kind"
ANALYSIS_COMPONENT = "analysis-component"
USE_CASE_TAG = "mlmeta:use-case"
ENVIRONMENT_TAG = "mlmeta:environment"
EXECUTION_ARN_TAG = "mlmeta:pipeline-execution-arn"
TRIAL_TAG = "mlmeta:trial"
EXECUTION_STATUS_TAG = "mlmeta:execution-status"
EXECUTION_END_TAG = "mlmeta:execution-end"
# Rows per INSERT statement batch: bounded memory at 100k executions.
_BATCH_RUNS = 5_000


@dataclass
class MlflowRun:
    """One analysis trial component as an MLflow run."""

    experiment_name: str
    name: str
    start_ms: int
    end_ms: int
    tags: dict[str, str]
    params: dict[str, str]
    # metric name -> (value, timestamp in ms)
    metrics: dict[str, tuple[float, int]] = field(default_factory=dict)

    @property
    def run_id(self) -> str:
        # Deterministic (32 hex digits like MLflow's own): a reload gives the same ids.
        return hashlib.md5(self.name.encode(), usedforsecurity=False).hexdigest()


def epoch_ms(iso: str) -> int:
    return round(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def analysis_runs(metric_snapshots: Iterable[Record], component_snapshots: Iterable[Record]) -> list[MlflowRun]:
    """The MLflow runs of the analysis components in these lake records, with their metrics."""
    runs: dict[str, MlflowRun] = {}
    for component in component_snapshots:
        if component["trial_kind"] != "analysis":
            continue
        runs[component["trial_component_name"]] = MlflowRun(
            experiment_name=component["experiment_name"],
            name=component["trial_component_name"],
            start_ms=epoch_ms(component["start_time"]),
            end_ms=epoch_ms(component["end_time"]),
            tags={
                USE_CASE_TAG: component["use_case"],
                ENVIRONMENT_TAG: component["environment"],
                KIND_TAG: ANALYSIS_COMPONENT,
                EXECUTION_ARN_TAG: component["pipeline_execution_arn"],
                TRIAL_TAG: component["trial_name"],
                EXECUTION_STATUS_TAG: component["execution_status"],
                EXECUTION_END_TAG: component["execution_end"],
            },
            params=dict(component["parameters"]),
        )
    for row in metric_snapshots:
        if row["trial_kind"] == "analysis":
            runs[row["trial_component_name"]].metrics[row["metric_name"]] = (row["metric_value"], epoch_ms(row["metric_time"]))
    return list(runs.values())


def execution_id_of(arn: str) -> str:
    """``arn:...:pipeline/NAME/execution/ID`` -> ``ID``."""
    return arn.rsplit("/", 1)[1]


class BulkLoader:
    """Inserts runs into the MLflow schema of a SQLite file a running server created and serves."""

    def __init__(self, database: Path, experiment_ids: dict[str, str], artifact_locations: dict[str, str]) -> None:
        import sqlalchemy

        from mlflow.store.tracking.dbmodels import models

        self._models = models
        self._engine = sqlalchemy.create_engine(f"sqlite:///{database}")
        self._experiment_ids = experiment_ids
        self._artifact_locations = artifact_locations
        self.loaded = 0

    def load(self, runs: Iterable[MlflowRun], progress: Callable[[str], None]) -> int:
        for batch in _batches(runs, _BATCH_RUNS):
            self._insert(batch)
            self.loaded += len(batch)
            progress(f"MLflow: {self.loaded:,} runs inserted")
        return self.loaded

    def _insert(self, batch: list[MlflowRun]) -> None:
        m = self._models
        run_rows, tag_rows, param_rows, metric_rows, latest_rows = [], [], [], [], []
        for run in batch:
            run_id = run.run_id
            experiment_id = int(self._experiment_ids[run.experiment_name])
            run_rows.append({
                "run_uuid": run_id, "name": run.name, "source_type": "LOCAL", "source_name": "", "entry_point_name": "",
                "user_id": "mlmeta-bench", "status": "FINISHED", "start_time": run.start_ms, "end_time": run.end_ms,
                "source_version": "", "lifecycle_stage": "active", "experiment_id": experiment_id,
                "artifact_uri": f"{self._artifact_locations[run.experiment_name]}/{run_id}/artifacts",
            })  # fmt: skip
            # What MLflow's own create_run sets besides the caller's tags.
            tags = {**run.tags, "mlflow.runName": run.name, "mlflow.user": "mlmeta-bench"}
            tag_rows += [{"key": k, "value": v, "run_uuid": run_id} for k, v in tags.items()]
            param_rows += [{"key": k, "value": v, "run_uuid": run_id} for k, v in run.params.items()]
            for key, (value, timestamp) in run.metrics.items():
                row = {"key": key, "value": value, "timestamp": timestamp, "step": 0, "is_nan": False, "run_uuid": run_id}
                metric_rows.append(row)
                latest_rows.append(row)
        with self._engine.begin() as connection:
            for table, rows in ((m.SqlRun, run_rows), (m.SqlTag, tag_rows), (m.SqlParam, param_rows),
                                (m.SqlMetric, metric_rows), (m.SqlLatestMetric, latest_rows)):  # fmt: skip
                if rows:
                    connection.execute(table.__table__.insert(), rows)

    def close(self) -> None:
        self._engine.dispose()


def _batches(items: Iterable[MlflowRun], size: int) -> Iterator[list[MlflowRun]]:
    batch: list[MlflowRun] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def experiments_of(runs: Iterable[MlflowRun]) -> list[str]:
    return sorted({run.experiment_name for run in runs})


def group_by_execution(runs: Iterable[Any]) -> dict[str, list[Any]]:
    """MLflow ``Run`` objects by the execution id of their ``mlmeta:pipeline-execution-arn`` tag."""
    grouped: dict[str, list[Any]] = defaultdict(list)
    for run in runs:
        grouped[execution_id_of(run.data.tags[EXECUTION_ARN_TAG])].append(run)
    return grouped
