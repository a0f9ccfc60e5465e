"""The demo end to end on a small history: only the drifted runs are flagged, the malformed event is
quarantined whole, the duplicate leaves the lake as it was, and every execution lands in the lake."""

from __future__ import annotations

import json

from demo_fixtures import SMALL

from mlmeta import analytics
from mlmeta.charts.metric_chart import plural
from mlmeta.local.demo.history import SUCCEEDED
from mlmeta.local.demo.settings import ENVIRONMENT
from mlmeta.local.demo.report import flagged
from mlmeta_contract.lake.records import decode_records


def events_delivered(report) -> list[dict]:
    return [json.loads(line) for line in (report.out / "events.jsonl").read_text().splitlines()]


def test_the_planted_drift_is_flagged_and_nothing_else(small_demo):
    history = small_demo.history
    onset = history.drift_onset
    rows = flagged(small_demo.results["metric_drift"]).as_dicts()

    # Every drifted run is flagged and no other: DRIFT from the onset on, while the baseline's median is
    # the old level, then BELOW_THRESHOLD (the auc alarm threshold); before the onset, nothing at all.
    drifted = [e.execution_id for e in history.executions if e.status == SUCCEEDED and e.number >= onset.number]
    assert [row["pipeline_execution_id"] for row in rows] == drifted
    drift = [row["pipeline_execution_id"] for row in rows if row["flag"] == "DRIFT"]
    assert drift[:1] == [onset.execution_id] and drift == drifted[: len(drift)]
    assert [row["pipeline_execution_id"] for row in rows if row["flag"] == "BELOW_THRESHOLD"] == drifted[len(drift) :]
    assert all(row["value"] < SMALL.min_value for row in rows)


def test_the_drift_query_reads_what_the_evaluate_step_logged_through_the_handlers(small_demo):
    onset = small_demo.history.drift_onset
    [drift_row] = [row for row in small_demo.results["metric_drift"].as_dicts() if row["pipeline_execution_id"] == onset.execution_id]
    assert drift_row["flag"] == "DRIFT"
    [snapshot] = small_demo.lake.glob(f"raw/metric_snapshots/dt={onset.end.date()}/{onset.execution_id}.json.gz")
    logged = {(r["trial_kind"], r["step_name"], r["metric_name"]): r["metric_value"] for r in decode_records(snapshot.read_bytes())}

    assert drift_row["value"] == logged[("analysis", "evaluation", "auc")] == onset.evaluation.metrics["auc"]
    assert logged[("environment", "train", "validation:auc")] == onset.training_metrics["validation:auc"][-1]


def test_every_execution_lands_in_the_lake_with_its_components(small_demo):
    history = small_demo.history
    history_rows = small_demo.results["metric_history"].as_dicts()
    assert [row["pipeline_execution_id"] for row in history_rows] == [e.execution_id for e in history.executions if e.status == SUCCEEDED]
    for execution in history.executions:
        [snapshot] = small_demo.lake.glob(f"raw/component_snapshots/dt={execution.end.date()}/{execution.execution_id}.json.gz")
        components = decode_records(snapshot.read_bytes())
        steps = [(c["trial_kind"], c["step_name"], bool(c["source_arn"])) for c in components]
        job_steps = [("environment", step.name, True) for step in execution.steps if step.job_type]
        analysis = [("analysis", "evaluation", False)] if execution.evaluation else []
        assert sorted(steps) == sorted(job_steps + analysis), execution.execution_id
        assert {c["execution_status"] for c in components} == {execution.status}


def test_every_analysis_snapshot_holds_as_many_metrics_as_the_evaluate_step_logged(small_demo):
    """The evaluate step records the count (pipelines/common/tracking.py); the snapshots are complete,
    so none is marked for the reconciler to redo."""
    for execution in (e for e in small_demo.history.executions if e.evaluation):
        dt = execution.end.date()
        [components] = small_demo.lake.glob(f"raw/component_snapshots/dt={dt}/{execution.execution_id}.json.gz")
        [metrics] = small_demo.lake.glob(f"raw/metric_snapshots/dt={dt}/{execution.execution_id}.json.gz")
        [analysis] = [c for c in decode_records(components.read_bytes()) if c["trial_kind"] == "analysis"]
        logged = sorted(r["metric_name"] for r in decode_records(metrics.read_bytes()) if r["trial_kind"] == "analysis")
        assert analysis["parameters"]["mlmeta:metrics-logged"] == str(len(logged)) == str(len(execution.evaluation.metrics))
        assert logged == sorted(execution.evaluation.metrics)
    assert list(small_demo.lake.glob("state/reconciler/incomplete-snapshots/*")) == []


def test_one_step_has_one_name_in_the_runs_frame(small_demo):
    """The evaluation step's job component (tagged with the pipeline step's name) and its analysis
    component ({trial}-{step}) name the same step, so analytics.runs has one column group per step."""
    runs = analytics.runs(small_demo.settings.use_case.name, ENVIRONMENT, lake=small_demo.lake)
    steps = {column.split(".")[1] for column in runs.columns if column.startswith(analytics.PARAMETER_PREFIX)}

    assert steps == {"preprocess", "train", "evaluation"}
    assert {"param.evaluation.SageMaker.InstanceType", "param.evaluation.decision_threshold"} <= set(runs.columns)


def test_the_malformed_event_was_quarantined_whole(small_demo):
    [message] = small_demo.quarantined
    delivered = {event["id"]: event for event in events_delivered(small_demo)}

    assert message.event_id == small_demo.truncated_event_id
    assert message.body == delivered[small_demo.truncated_event_id]
    assert (message.handler, message.field) == ("snapshotter", "detail.pipelineExecutionArn")
    assert json.loads((small_demo.out / "quarantine.jsonl").read_text()) == message.body
    assert small_demo.outcomes["quarantined"] == 1 and not small_demo.failures


def test_the_duplicate_left_the_lake_unchanged(small_demo):
    duplicate = small_demo.duplicate
    ids = [event["id"] for event in events_delivered(small_demo)]

    assert ids.count(duplicate.event_id) == 2
    assert duplicate.execution_id == small_demo.history.duplicated.execution_id
    assert any(duplicate.execution_id in key for key in duplicate.before)  # the first delivery wrote its snapshots
    assert duplicate.lake_unchanged


def test_naming_violations_are_exactly_the_planted_names(small_demo):
    rows = small_demo.results["naming_violations"].as_dicts()
    planted = {action.name for action in small_demo.history.eda_actions if action.violation}

    assert len(planted) == 3
    assert {row["resource_name"] for row in rows} == planted
    assert all(row["actor_arn"].startswith("arn:aws:sts::") and row["source"] == "cloudtrail" for row in rows)


def test_the_config_s_experiments_were_deployed_through_the_stack_s_handler(small_demo):
    assert [(e.name, e.kind, e.adopted) for e in small_demo.experiments] == [
        ("churn-prediction-dev-pipeline", "pipeline-experiment", False),
        ("churn-prediction-eda-ikazaki", "eda-experiment", False),
    ]


def test_the_chart_is_written_and_progress_is_one_line_per_phase_off_a_terminal(small_demo, small_demo_progress):
    assert small_demo.chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    drift_points = sum(row["flag"] == "DRIFT" for row in small_demo.results["metric_drift"].as_dicts())
    assert f"{plural(drift_points, 'drift point')} (" in small_demo.chart_summary
    lines = small_demo_progress.getvalue().splitlines()
    assert [line[:5] for line in lines] == [f"[{i}/6]" for i in range(1, 7)]
    assert "\r" not in small_demo_progress.getvalue()
