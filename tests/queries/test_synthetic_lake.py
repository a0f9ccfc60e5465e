"""The fixture-lake generator: deterministic, true to the data contract, laid out like the bucket."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from mlmeta_contract.lake.records import decode_records
from mlmeta_contract.lake.schema import COMPONENT_SNAPSHOTS, METRIC_SNAPSHOTS, NAMING_AUDIT, SCHEMA_VERSION
from mlmeta.local.synthetic_lake import Drift, generate_history, write_lake

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
TIME_COLUMNS = {"execution_start", "execution_end", "metric_time", "snapshot_time", "start_time", "end_time", "checked_at"}


def test_the_same_arguments_write_byte_identical_lakes(tmp_path):
    args = {"seed": 5, "use_cases": ("churn-prediction", "fraud-detection"), "executions": 4}
    first = write_lake(tmp_path / "a", generate_history(**args))
    second = write_lake(tmp_path / "b", generate_history(**args))
    assert [p.relative_to(tmp_path / "a") for p in first] == [p.relative_to(tmp_path / "b") for p in second]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    other = generate_history(**(args | {"seed": 6}))
    assert other.metric_snapshots != generate_history(**args).metric_snapshots


def test_records_hold_exactly_the_schema_columns_with_utc_times():
    history = generate_history(seed=1, executions=3)
    for table, rows in history.by_table().items():
        assert rows
        for row in rows:
            assert list(row) == list(table.column_names)
            for column in TIME_COLUMNS & set(row):
                assert ISO_UTC.match(row[column]), (table.name, column, row[column])
    assert {r["schema_version"] for r in history.metric_snapshots + history.component_snapshots} == {SCHEMA_VERSION}
    assert {r["trial_kind"] for r in history.metric_snapshots} == {"environment", "analysis"}
    assert all(isinstance(v, str) for r in history.component_snapshots for v in r["parameters"].values())


def test_objects_sit_at_their_lake_keys_one_per_execution(tmp_path):
    history = generate_history(seed=2, executions=6, naming_checks=4)
    paths = write_lake(tmp_path, history)
    executions = {r["pipeline_execution_id"]: r["execution_end"] for r in history.metric_snapshots}
    for table, rows in [(METRIC_SNAPSHOTS, history.metric_snapshots), (COMPONENT_SNAPSHOTS, history.component_snapshots)]:
        for execution, ended in executions.items():
            dt = datetime.fromisoformat(ended.replace("Z", "+00:00")).astimezone(UTC).date().isoformat()
            path = tmp_path / table.prefix / f"dt={dt}" / f"{execution}.json.gz"
            assert decode_records(path.read_bytes()) == [r for r in rows if r["pipeline_execution_id"] == execution]
    audit = sorted(tmp_path.glob(f"{NAMING_AUDIT.prefix}/dt=*/*.json.gz"))
    assert len(audit) == 4 and len(paths) == 2 * len(executions) + 4


def test_planted_drift_shifts_one_metric_from_one_run_on():
    plain = generate_history(seed=4, executions=8, use_cases=("a", "b"))
    drifted = generate_history(seed=4, executions=8, use_cases=("a", "b"), drift=Drift("auc", start_run=5, shift=-0.1, pipeline_name="a-dev"))

    def auc(history):
        return [(r["pipeline_name"], r["metric_value"]) for r in history.metric_snapshots if r["metric_name"] == "auc" and r["trial_kind"] == "analysis"]

    shifts = [(pipeline, after - before) for (pipeline, before), (_, after) in zip(auc(plain), auc(drifted), strict=True)]
    assert [round(s, 9) for p, s in shifts if p == "a-dev"] == [0.0] * 5 + [-0.1] * 3
    assert all(s == 0 for p, s in shifts if p == "b-dev")
    others = [(r["metric_name"], r["metric_value"]) for r in plain.metric_snapshots if r["metric_name"] != "auc"]
    assert others == [(r["metric_name"], r["metric_value"]) for r in drifted.metric_snapshots if r["metric_name"] != "auc"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"executions": -1}, ">= 0"), ({"use_cases": ()}, "at least one use case"), ({"start": datetime(2026, 1, 1)}, "aware datetime")],
)
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate_history(**kwargs)
