"""A deterministic fixture lake: pipeline executions with metrics, components and naming checks.

Used by the query tests, the demo and the benchmarks::

    records = generate_history(seed=7, use_cases=("churn-prediction",), executions=30,
                               drift=Drift(metric_name="auc", start_run=20, shift=-0.08))
    write_lake(tmp_path, records)   # tmp_path/raw/metric_snapshots/dt=.../<execution_id>.json.gz, ...

The same arguments always give byte-identical objects. Records hold exactly the columns of
``mlmeta_contract.lake.schema`` (times ISO-8601 UTC with ``Z``, ``schema_version`` 1); ``dt`` is not a column
but the partition of the object's key, the UTC date of the execution's end (docs/design.md §5).

What the history contains, so that every named query has something to find:

- each execution has trial 1.1 (kind ``environment``) with job-created components for the steps
  ``preprocess`` and ``train`` (random-suffixed names, so ``step_name`` is what matches them across
  executions; the training job logs ``auc`` and ``loss`` too, which analysis queries must ignore), and
  trial 1.2 (kind ``analysis``) with the components ``evaluation`` and ``threshold-tuning`` whose
  names carry the execution id and whose ``step_name`` is unknown (null);
- ``evaluation`` logs accuracy, auc, f1, log_loss and rows_dropped (often 0, so changes from 0 occur);
  ``threshold-tuning`` logs f1 again, normally later, sometimes at the very same time (dedup tie);
- parameters change now and then (``eta``, ``num_round``), one appears only in later runs
  (``early_stopping_rounds``), and a few executions fail or are stopped;
- naming checks from CloudTrail, the sweep and pipelines, compliant and violating.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mlmeta_contract.lake.layout import object_key, partition_value
from mlmeta_contract.lake.records import encode_records
from mlmeta_contract.lake.schema import COMPONENT_SNAPSHOTS, METRIC_SNAPSHOTS, NAMING_AUDIT, SCHEMA_VERSION, TableSpec

Record = dict[str, Any]

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
DEFAULT_START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

# metric -> (baseline mean, run-to-run noise); the evaluation step logs these.
EVALUATION_METRICS: Mapping[str, tuple[float, float]] = {
    "accuracy": (0.86, 0.008),
    "auc": (0.91, 0.006),
    "f1": (0.79, 0.012),
    "log_loss": (0.34, 0.015),
}
# A count that is usually 0: exercises "no percentage change from 0" and zero spread in a window.
COUNT_METRIC = "rows_dropped"


@dataclass(frozen=True)
class Drift:
    """From the ``start_run``-th execution of a pipeline on (0-based), ``metric_name`` moves by ``shift``."""

    metric_name: str
    start_run: int
    shift: float
    # None: every pipeline drifts.
    pipeline_name: str | None = None


@dataclass(frozen=True)
class LakeRecords:
    """Records of each lake table, in generation order."""

    metric_snapshots: tuple[Record, ...]
    component_snapshots: tuple[Record, ...]
    naming_audit: tuple[Record, ...]

    def by_table(self) -> dict[TableSpec, tuple[Record, ...]]:
        return {
            METRIC_SNAPSHOTS: self.metric_snapshots,
            COMPONENT_SNAPSHOTS: self.component_snapshots,
            NAMING_AUDIT: self.naming_audit,
        }


def generate_history(
    *,
    seed: int = 7,
    use_cases: Sequence[str] = ("churn-prediction",),
    environment: str = "dev",
    executions: int = 20,
    start: datetime = DEFAULT_START,
    spacing: timedelta = timedelta(hours=9),
    drift: Drift | None = None,
    naming_checks: int = 12,
) -> LakeRecords:
    """``executions`` runs of each use case's pipeline, ``spacing`` apart from ``start`` (pipelines interleaved)."""
    if executions < 0 or naming_checks < 0:
        raise ValueError("executions and naming_checks must be >= 0")
    if not use_cases:
        raise ValueError("use_cases must name at least one use case")
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime (UTC)")
    rng = random.Random(seed)
    metrics: list[Record] = []
    components: list[Record] = []
    for run in range(executions):
        for offset, use_case in enumerate(use_cases):
            execution = _execution(rng, use_case, environment, start + run * spacing + offset * spacing / len(use_cases))
            steps = _components(rng, execution, run)
            components += steps.values()
            metrics += _metrics(rng, steps, run, drift)
    audit = [_naming_check(rng, i, use_cases[0], start) for i in range(naming_checks)]
    return LakeRecords(tuple(metrics), tuple(components), tuple(audit))


def write_lake(directory: Path, records: LakeRecords) -> list[Path]:
    """Write each execution's snapshots and each naming check as one object at its lake key; return the paths."""
    objects: dict[str, list[Record]] = defaultdict(list)
    for table, rows in records.by_table().items():
        for row in rows:
            objects[_key_of(table, row)].append(row)
    written = []
    for key, rows in sorted(objects.items()):
        path = Path(directory) / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(encode_records(rows))
        written.append(path)
    return written


def _key_of(table: TableSpec, row: Record) -> str:
    if table is NAMING_AUDIT:
        record_id = hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest()[:20]
        return object_key(table, partition_value(_parse(row["checked_at"])), record_id)
    # One object per execution and table: a re-snapshot of the execution overwrites it.
    return object_key(table, partition_value(_parse(row["execution_end"])), row["pipeline_execution_id"])


@dataclass(frozen=True)
class _Execution:
    identity: Record  # the execution's identity columns
    began: datetime
    ended: datetime

    @property
    def trial_names(self) -> dict[str, str]:
        trial = f"{self.identity['pipeline_name']}-{self.identity['pipeline_execution_id']}"
        return {"environment": trial, "analysis": f"{trial}-analysis"}


def _execution(rng: random.Random, use_case: str, environment: str, began: datetime) -> _Execution:
    execution_id = _random_id(rng, 12)
    pipeline = f"{use_case}-{environment}"
    ended = began + timedelta(minutes=rng.randint(25, 95), seconds=rng.randint(0, 59))
    identity = {
        "schema_version": SCHEMA_VERSION,
        "use_case": use_case,
        "environment": environment,
        "pipeline_name": pipeline,
        "pipeline_execution_id": execution_id,
        "pipeline_execution_arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{pipeline}/execution/{execution_id}",
        "execution_status": rng.choices(["Succeeded", "Failed", "Stopped"], weights=[85, 10, 5])[0],
        "execution_start": _iso(began),
        "execution_end": _iso(ended),
        "experiment_name": f"{pipeline}-pipeline",
    }
    return _Execution(identity, began, ended)


def _components(rng: random.Random, execution: _Execution, run: int) -> dict[str, Record]:
    """The execution's component snapshots by step."""
    execution_id = execution.identity["pipeline_execution_id"]
    bucket = f"s3://mlmeta-{execution.identity['environment']}-artifacts/{execution.identity['pipeline_name']}/{execution_id}"
    train_params = {
        "max_depth": str(6 if run % 7 else 8),
        "eta": "0.1" if run % 5 < 3 else "0.05",
        "num_round": str(rng.choice([200, 200, 300])),
        "instance_type": "ml.m5.xlarge",
    }
    if run >= 10:
        train_params["early_stopping_rounds"] = "20"
    steps = [
        # (trial kind, step, job kind or None when the pipeline's own code created the component, parameters, inputs, outputs)
        ("environment", "preprocess", "processing", {"sample_rate": "1.0", "split_seed": "42"},
         {"raw": "s3://mlmeta-data/raw/"}, {"train": f"{bucket}/train/", "test": f"{bucket}/test/"}),
        ("environment", "train", "training", train_params, {"train": f"{bucket}/train/"}, {"model": f"{bucket}/model.tar.gz"}),
        ("analysis", "evaluation", None, {"threshold": "0.5"},
         {"model": f"{bucket}/model.tar.gz", "test": f"{bucket}/test/"}, {"report": f"{bucket}/evaluation.json"}),
        ("analysis", "threshold-tuning", None, {"objective": "f1"}, {"report": f"{bucket}/evaluation.json"}, {}),
    ]
    records = {}
    step_time = (execution.ended - execution.began) / len(steps)
    for index, (trial_kind, step, job_kind, parameters, inputs, outputs) in enumerate(steps):
        trial = execution.trial_names[trial_kind]
        if job_kind:
            # Jobs name their components themselves (random suffix): only step_name matches them across executions.
            job = f"pipelines-{execution_id}-{step}-{_random_id(rng, 10)}"
            names = {"trial_component_name": f"{job}-aws-{job_kind}-job", "step_name": step,
                     "source_arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{job_kind}-job/{job}"}
        else:
            names = {"trial_component_name": f"{trial}-{step}", "step_name": None, "source_arn": None}
        records[step] = _row(
            COMPONENT_SNAPSHOTS,
            execution.identity,
            names,
            trial_name=trial,
            trial_kind=trial_kind,
            status="Completed",
            start_time=_iso(execution.began + index * step_time),
            end_time=_iso(execution.began + (index + 1) * step_time),
            parameters=parameters,
            input_artifacts=inputs,
            output_artifacts=outputs,
            snapshot_time=_iso(execution.ended + timedelta(minutes=2)),
        )
    return records


def _metrics(rng: random.Random, steps: Mapping[str, Record], run: int, drift: Drift | None) -> list[Record]:
    evaluation, tuning, train = steps["evaluation"], steps["threshold-tuning"], steps["train"]
    values = {name: rng.gauss(mean, noise) for name, (mean, noise) in EVALUATION_METRICS.items()}
    values[COUNT_METRIC] = float(rng.choice([0, 0, 0, 0, 1, 2, 5]))
    if drift and run >= drift.start_run and drift.pipeline_name in (None, evaluation["pipeline_name"]):
        values[drift.metric_name] = values.get(drift.metric_name, 0.0) + drift.shift
    evaluated_at = evaluation["end_time"]
    rows = [_metric_row(rng, evaluation, name, value, evaluated_at) for name, value in values.items()]
    # threshold-tuning logs f1 again, later; every 4th run at the same instant as evaluation (a dedup tie).
    tuned_at = evaluated_at if run % 4 == 0 else tuning["end_time"]
    rows.append(_metric_row(rng, tuning, "f1", values["f1"] + abs(rng.gauss(0.01, 0.004)), tuned_at))
    rows.append(_metric_row(rng, train, "auc", rng.gauss(0.95, 0.004), train["end_time"]))
    rows.append(_metric_row(rng, train, "loss", rng.gauss(0.21, 0.01), train["end_time"]))
    return rows


def _metric_row(rng: random.Random, component: Record, name: str, last: float, logged_at: str) -> Record:
    count = rng.randint(1, 5)
    spread = abs(last) * 0.02
    return _row(
        METRIC_SNAPSHOTS,
        {k: v for k, v in component.items() if k in METRIC_SNAPSHOTS.column_names},
        metric_name=name,
        metric_value=last,
        metric_min=last - spread,
        metric_max=last + spread,
        metric_avg=last,
        metric_stddev=spread / 2 if count > 1 else 0.0,
        metric_count=count,
        metric_time=logged_at,
    )


_VIOLATIONS = (
    # (resource type, name, rule, reason)
    ("experiment", "Churn_Test", "uppercase", "names are lowercase"),
    ("trial", "churn-prediction-qa-p4jn9xou8a8s", "unknown-env", "'qa' is not an environment (dev, stg, prod)"),
    ("experiment", "my experiment", "invalid-characters", "only a-z, 0-9 and '-' are allowed"),
    ("trial-component", "tmp", "wrong-shape", "expected {trial}-{step}"),
)
_ACTORS = ("alice", "bob", "carol")
_ARN_RESOURCE = {"experiment": "experiment", "trial": "experiment-trial", "trial-component": "experiment-trial-component"}
_ACTION = {"experiment": "CreateExperiment", "trial": "CreateTrial", "trial-component": "CreateTrialComponent"}


def _naming_check(rng: random.Random, index: int, use_case: str, start: datetime) -> Record:
    actor = rng.choice(_ACTORS)
    if index % 3 == 1:
        resource_type, name, rule, reason = _VIOLATIONS[(index // 3) % len(_VIOLATIONS)]
    else:
        resource_type, name, rule, reason = "experiment", f"{use_case}-eda-{actor}", "compliant", ""
    return _row(
        NAMING_AUDIT,
        checked_at=_iso(start + timedelta(hours=7 * index, minutes=rng.randint(0, 59))),
        source=rng.choice(["cloudtrail", "cloudtrail", "sweep", "pipeline"]),
        resource_type=resource_type,
        resource_name=name,
        resource_arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{_ARN_RESOURCE[resource_type]}/{name.lower()}",
        verdict="compliant" if rule == "compliant" else "violation",
        rule=rule,
        reason=reason,
        actor_arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/DataScientist/{actor}",
        action=_ACTION[resource_type],
    )


def _row(table: TableSpec, *parts: Mapping[str, Any], **values: Any) -> Record:
    """A record of ``table`` from the merged parts, in the schema's column order. A column the generator
    gives no value is null, as in an object written before the column existed, so a new column needs no
    change here (docs/architecture.md, "What one change touches"); a key that is no column raises."""
    row: Record = {}
    for part in (*parts, values):
        row.update(part)
    unknown = sorted(set(row) - set(table.column_names))
    if unknown:
        raise ValueError(f"{table.name} record does not match the schema: {unknown} are not its columns")
    return {name: row.get(name) for name in table.column_names}


def _random_id(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(length))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
