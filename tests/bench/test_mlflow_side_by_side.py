"""The MLflow side-by-side benchmark (bench/mlflow_side_by_side.py): the history as MLflow runs, the answers
of both sides against a real local MLflow server at a tiny size, and the check that refuses different answers."""

from __future__ import annotations

import sqlite3

import pytest

from bench import mlflow_side_by_side as side
from bench.lake_sizes import LakeShape, history_chunks
from bench.mlflow_history import ANALYSIS_COMPONENT, EXECUTION_ARN_TAG, KIND_TAG, analysis_runs, epoch_ms
from bench.run import parse_arguments
from mlmeta.local.synthetic_lake import generate_history
from mlmeta.local.mlflow_server import running_mlflow_server

mlflow = pytest.importorskip("mlflow")


def test_each_analysis_component_becomes_one_run_with_its_metrics_times_and_the_convention_tags():
    records = generate_history(seed=3, use_cases=("churn",), executions=4, naming_checks=0)

    runs = analysis_runs(records.metric_snapshots, records.component_snapshots)

    assert len(runs) == 8  # evaluation and threshold-tuning of each execution; job components are not runs
    by_name = {run.name: run for run in runs}
    analysis = [r for r in records.metric_snapshots if r["trial_kind"] == "analysis"]
    assert sum(len(run.metrics) for run in runs) == len(analysis)
    for row in analysis:
        run = by_name[row["trial_component_name"]]
        assert run.experiment_name == "churn-dev-pipeline"
        assert run.metrics[row["metric_name"]] == (row["metric_value"], epoch_ms(row["metric_time"]))
        assert run.tags[KIND_TAG] == ANALYSIS_COMPONENT
        assert run.tags[EXECUTION_ARN_TAG] == row["pipeline_execution_arn"]
    assert len({run.run_id for run in runs}) == 8


def test_different_answers_are_refused_naming_the_first_differing_row():
    lake = [("e1", "2025-01-01T01:00:00.000Z", "Succeeded", 0.91), ("e2", "2025-01-02T01:00:00.000Z", "Failed", 0.9)]
    mlflow_rows = [lake[0], ("e2", "2025-01-02T01:00:00.000Z", "Failed", 0.9000001)]

    side.check_same("metric_history", lake, list(lake))  # the same rows pass
    with pytest.raises(side.AnswersDiffer, match=r"metric_history: .* first at row 1: MLflow \('e2'.*0\.9000001"):
        side.check_same("metric_history", lake, mlflow_rows)
    with pytest.raises(side.AnswersDiffer, match="2 rows against 1"):
        side.check_same("metric_history", lake[:1], lake)
    with pytest.raises(side.AnswersDiffer, match="the lake answered no rows"):
        side.check_same("metric_history", [], [])


def test_bad_mlflow_sizes_are_refused_with_the_value():
    assert parse_arguments(["--mlflow-sizes", "200,1000"]).mlflow_sizes == (200, 1000)
    for bad in ("ten", "1000,", "5"):
        with pytest.raises(SystemExit):
            parse_arguments(["--mlflow-sizes", bad])


def test_at_200_executions_a_real_mlflow_server_and_the_lake_give_the_same_answers_until_one_value_changes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MLMETA_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    shape = LakeShape(200, days=side.DAYS)
    lake, records = side.history(shape, 7, print)
    with running_mlflow_server(tmp_path / "mlflow") as server:
        client = mlflow.MlflowClient(tracking_uri=server.tracking_uri)
        loaded = side.load_mlflow(client, server.database, shape, records, print)
        assert loaded.runs == 400
        history, latest = side.questions(shape)

        answers = {}
        for question in (history, latest):
            with side.counted_http(server.tracking_uri) as http:
                answers[question.name] = side.MLFLOW_ANSWERS[question.name](client, question)
            side.check_same(question.name, side.lake_answer(question, lake), answers[question.name])
            # One look-up of the experiment(s), one page of search_runs (under 1,000 runs).
            assert http.requests == 2, question.name
        assert len(answers["metric_history"]) == 20  # the pipeline's 20 executions over the 90 days
        assert {row[0] for row in answers["latest_metrics"]} == {f"{u}-dev" for u in shape.use_cases}
        assert len(answers["latest_metrics"]) == 10 * 5  # every pipeline's 5 analysis metrics

        # A run inserted in bulk reads back as the same run logged through MLflow's REST API.
        twin = _twin_logged_through_rest(client, shape)
        bulk, logged = (client.get_run(run_id) for run_id in twin)
        assert logged.data.tags == bulk.data.tags
        assert logged.data.params == bulk.data.params
        assert _metrics(logged) == _metrics(bulk)
        for attribute in ("status", "start_time", "end_time", "run_name", "lifecycle_stage"):
            assert getattr(logged.info, attribute) == getattr(bulk.info, attribute), attribute

        # One stored value changed in MLflow: the benchmark refuses to compare.
        execution_id, *_ = answers["metric_history"][-1]
        with sqlite3.connect(server.database) as database:
            changed = database.execute(
                "UPDATE latest_metrics SET value = value + 0.5 WHERE key = 'auc' AND run_uuid IN "
                "(SELECT run_uuid FROM tags WHERE key = ? AND value LIKE ?)",
                (EXECUTION_ARN_TAG, f"%/{execution_id}"),
            ).rowcount
        assert changed == 1
        with pytest.raises(side.AnswersDiffer, match="first at row 19"):
            side.check_same("metric_history", side.lake_answer(history, lake), side.mlflow_metric_history(client, history))


def _twin_logged_through_rest(client, shape: LakeShape) -> tuple[str, str]:
    """(id of a bulk-inserted run, id of the same run logged again through REST in a fresh experiment)."""
    from mlflow.entities import Metric, Param

    chunk = next(history_chunks(shape, 7))
    run = analysis_runs(chunk.metric_snapshots, chunk.component_snapshots)[0]
    experiment_id = client.create_experiment("rest-twin")
    created = client.create_run(experiment_id, start_time=run.start_ms, tags={**run.tags, "mlflow.user": "mlmeta-bench"}, run_name=run.name)
    client.log_batch(
        created.info.run_id,
        metrics=[Metric(key, value, timestamp, 0) for key, (value, timestamp) in run.metrics.items()],
        params=[Param(key, value) for key, value in run.params.items()],
    )
    client.set_terminated(created.info.run_id, end_time=run.end_ms)
    return run.run_id, created.info.run_id


def _metrics(run) -> list[tuple[str, float, int, int]]:
    return sorted((m.key, m.value, m.timestamp, m.step) for m in run.to_proto().data.metrics)
