"""``mlmeta demo``: the local main job writes a lake and the queries find the planted drift in it."""

from __future__ import annotations

import pytest

from mlmeta.cli import main
from mlmeta.demo import METRIC, PIPELINE, DemoSettings, run_demo
from mlmeta.lake.records import decode_records


def test_demo_flags_the_first_drifted_run_and_writes_the_lake(tmp_path):
    settings = DemoSettings(executions=40, drift_start_run=30, drift_shift=-0.08)
    report = run_demo(tmp_path, settings, progress=lambda _: None)

    history = report.results["metric_history"].as_dicts()
    assert len(history) == settings.executions
    drifted_run = history[settings.drift_start_run]
    drift = {r["pipeline_execution_id"]: r for r in report.results["metric_drift"].as_dicts()}
    assert drift[drifted_run["pipeline_execution_id"]]["flag"] == "DRIFT"
    # The value the query saw is the one in the lake object of that execution.
    snapshot = next(report.lake.glob(f"raw/metric_snapshots/dt=*/{drifted_run['pipeline_execution_id']}.json.gz"))
    lake_values = {
        r["metric_value"]
        for r in decode_records(snapshot.read_bytes())
        if r["metric_name"] == METRIC and r["trial_kind"] == "analysis" and r["pipeline_name"] == PIPELINE
    }
    assert drifted_run["value"] in lake_values


def test_demo_command_prints_each_section_and_replaces_an_old_lake(tmp_path, capsys):
    stale = tmp_path / "lake" / "raw" / "metric_snapshots" / "dt=1999-01-01" / "stale.json.gz"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"not gzip")

    assert main(["demo", "--out", str(tmp_path), "--executions", "12"]) == 0

    out = capsys.readouterr().out
    for section in ("== metric_history", "== metric_drift", "== latest_metrics", "== naming_violations"):
        assert section in out
    assert not stale.exists()


def test_demo_rejects_a_too_small_history(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--out", str(tmp_path), "--executions", "1"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "at least 2" in err[0]
