"""``mlmeta demo --backend mlflow``: the evaluate step records trial 1.2 to a real MLflow server (the
session's, tests/conftest.py) and the snapshotter reads it from there. The planted drift is flagged as
on SageMaker, both backends' lakes pass the lake's schema check, and a bad backend or an unreachable
server is one line."""

from __future__ import annotations

import importlib.util
import io
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from demo_fixtures import SMALL, tree
from lake_rows import satisfies_schema

from mlmeta.cli import main
from mlmeta.local.demo import mlflow_backend
from mlmeta.local.demo.aws_events import AwsNames
from mlmeta.local.demo.mlflow_backend import MLFLOW_DIR, demo_mlflow
from mlmeta.local.demo.output import MANIFEST, DemoOutput
from mlmeta.local.demo.progress import Progress
from mlmeta.local.demo.report import flagged, render
from mlmeta.local.mlflow_server import DATABASE_FILE, LOG_FILE, LocalMlflowServer, free_port
from mlmeta_contract.lake.records import decode_records
from mlmeta_contract.lake.schema import TABLES, TableSpec
from mlmeta_contract.mlflow.client import MlflowClient
from mlmeta_contract.mlflow.names import execution_filter


def rows_of(lake: Path, table: TableSpec) -> list[dict]:
    return [row for path in sorted((lake / table.prefix).rglob("*.json.gz")) for row in decode_records(path.read_bytes())]


def test_the_planted_drift_is_flagged_as_on_sagemaker(small_demo, small_mlflow_demo):
    on_mlflow, on_sagemaker = small_mlflow_demo.results["metric_drift"], small_demo.results["metric_drift"]
    drift = [row for row in flagged(on_mlflow).as_dicts() if row["flag"] == "DRIFT"]

    assert drift and drift[0]["pipeline_execution_id"] == small_mlflow_demo.history.drift_onset.execution_id
    # The same seed, the same values through either backend: the same runs flagged, the same scores.
    assert on_mlflow.rows == on_sagemaker.rows
    assert len(drift) == sum(row["flag"] == "DRIFT" for row in on_sagemaker.as_dicts())
    assert not small_mlflow_demo.failures and small_mlflow_demo.outcomes == small_demo.outcomes


def test_trial_1_2_is_in_mlflow_and_the_lake_holds_what_the_run_logged(small_mlflow_demo, mlflow_server):
    client = MlflowClient(mlflow_server.tracking_uri)
    experiment = client.get_experiment_by_name("churn-prediction-dev-pipeline")
    names = AwsNames(SMALL.environment.region, small_mlflow_demo.pipeline, SMALL.seed)
    evaluated = [e for e in small_mlflow_demo.history.executions if e.evaluation is not None]
    lake = small_mlflow_demo.lake
    for execution in evaluated:
        filter_string = execution_filter(names.execution_arn(execution.execution_id))
        [run] = client.search_runs([experiment["experiment_id"]], filter_string=filter_string)
        logged = {metric["key"]: metric["value"] for metric in run["data"]["metrics"]}
        [snapshot] = lake.glob(f"raw/metric_snapshots/dt={execution.end.date()}/{execution.execution_id}.json.gz")
        in_lake = {r["metric_name"]: r["metric_value"] for r in decode_records(snapshot.read_bytes()) if r["trial_kind"] == "analysis"}
        assert run["info"]["run_name"] == f"churn-prediction-dev-{execution.execution_id}-analysis-evaluation"
        assert logged == in_lake == dict(execution.evaluation.metrics), execution.execution_id


@pytest.mark.parametrize("demo", ["small_demo", "small_mlflow_demo"])
def test_the_lake_rows_of_either_backend_satisfy_the_lake_schema(demo, request):
    lake = request.getfixturevalue(demo).lake
    for table in TABLES:
        satisfies_schema(rows_of(lake, table), table)


def test_both_backends_write_the_same_lake_but_for_the_stddev_of_a_single_value(small_demo, small_mlflow_demo):
    """Trial 1.2 read from MLflow gives the rows read from SageMaker, every object and key, with one
    exception: the standard deviation of a metric logged once (the evaluate step's four). moto reports
    0.0 (a population formula); SageMaker reports a non-number, which the lake keeps as null, as the
    MLflow path writes it (lambdas/snapshotter/mlflow_runs.py)."""
    on_mlflow, on_sagemaker = tree(small_mlflow_demo.lake), tree(small_demo.lake)
    evaluated = [e for e in small_demo.history.executions if e.evaluation is not None]

    assert on_mlflow.keys() == on_sagemaker.keys()
    differing = sorted(key for key in on_sagemaker if on_mlflow[key] != on_sagemaker[key])
    assert differing == sorted(f"raw/metric_snapshots/dt={e.end.date()}/{e.execution_id}.json.gz" for e in evaluated)
    for key in differing:
        rows = decode_records(on_sagemaker[key])
        moto_s = [row for row in rows if row["metric_count"] == 1]
        assert {row["trial_kind"] for row in moto_s} == {"analysis"} and {row["metric_stddev"] for row in moto_s} == {0.0}
        as_sagemaker_reports_it = [{**row, "metric_stddev": None} if row["metric_count"] == 1 else row for row in rows]
        assert decode_records(on_mlflow[key]) == as_sagemaker_reports_it


def test_the_report_says_where_trial_1_2_went_and_progress_has_the_mlflow_phase(small_mlflow_demo, small_mlflow_demo_progress,
                                                                                   mlflow_server):
    report = render(small_mlflow_demo)
    evaluated = sum(e.evaluation is not None for e in small_mlflow_demo.history.executions)

    assert "metric_drift flags it DRIFT" in report
    assert (f"MLflow: the evaluate step recorded trial 1.2 of {evaluated} executions as runs of experiment "
            f"churn-prediction-dev-pipeline at {mlflow_server.tracking_uri} (the server given)") in report
    lines = small_mlflow_demo_progress.getvalue().splitlines()
    assert [line[:5] for line in lines] == [f"[{i}/7]" for i in range(1, 8)]
    assert lines[0] == f"[1/7] recording trial 1.2 to the MLflow server at {mlflow_server.tracking_uri}"


def test_the_same_seed_on_the_same_server_writes_the_same_lake(small_mlflow_demo, mlflow_server, tmp_path, capsys):
    """A second demo adopts the runs the first created (the step's retry path) and logs nothing twice."""
    out = tmp_path / "again"
    argv = ["demo", "--out", str(out), "--executions", str(SMALL.executions), "--backend", "mlflow", "--mlflow-uri", mlflow_server.tracking_uri]

    assert main(argv) == 0

    assert tree(out / "lake") == tree(small_mlflow_demo.lake)
    assert "metric_drift flags it DRIFT" in capsys.readouterr().out
    assert not (out / MLFLOW_DIR).exists()  # the given server's data is its own


def test_an_unreachable_mlflow_uri_is_one_line_and_deletes_nothing(small_demo, tmp_path, capsys):
    # An earlier demo's output, which --force would replace: nothing is touched.
    out = Path(shutil.copytree(small_demo.out, tmp_path / "earlier"))
    before = tree(out)
    closed = f"http://127.0.0.1:{free_port()}"

    assert main(["demo", "--out", str(out), "--force", "--backend", "mlflow", "--mlflow-uri", closed]) == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"mlmeta demo: error: --mlflow-uri: MLflow at {closed} ")
    assert "is unreachable" in err[0]
    assert tree(out) == before


def test_without_the_mlflow_package_the_demo_says_so_and_deletes_nothing(small_demo, tmp_path, capsys, monkeypatch):
    out = Path(shutil.copytree(small_demo.out, tmp_path / "earlier"))
    before = tree(out)
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *rest: None if name == "mlflow" else find_spec(name, *rest))

    assert main(["demo", "--out", str(out), "--force", "--backend", "mlflow"]) == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "mlmeta demo: error: the local MLflow server needs the mlflow package: pip install -e '.[dev]' (or make install)"
    assert tree(out) == before


@pytest.mark.parametrize(("argv", "message"), [
    (["--backend", "neptune"], "argument --backend: invalid choice: 'neptune' (choose from 'sagemaker', 'mlflow')"),
    (["--mlflow-uri", "http://127.0.0.1:5000"], "--mlflow-uri is the MLflow server of --backend mlflow"),
    (["--backend", "mlflow", "--mlflow-uri", "arn:aws:sagemaker:ap-northeast-1:123456789012:mlflow-app/app-x"],
     "--mlflow-uri: the demo's MLflow tracking URI 'arn:aws:sagemaker:ap-northeast-1:123456789012:mlflow-app/app-x' must be"),
])
def test_a_bad_backend_or_mlflow_uri_is_one_line(argv, message, tmp_path, capsys):
    try:
        code = main(["demo", "--out", str(tmp_path / "out"), *argv])
    except SystemExit as exit_:  # argparse's own refusal
        code = exit_.code
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"mlmeta demo: error: {message}")
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_the_local_server_s_files_are_the_demo_s_and_its_start_shows_progress(tmp_path, monkeypatch):
    """Without --mlflow-uri the demo starts a server in DIR/mlflow. The real start is tested with the session
    server (tests/mlflow/test_local_server.py); here a stand-in writes what it writes, to spare a second
    start of 10 s to minutes."""
    address = f"http://127.0.0.1:{free_port()}"
    @contextmanager
    def started(directory: Path, *, timeout, waiting):
        directory.mkdir(parents=True)
        (directory / DATABASE_FILE).write_bytes(b"SQLite")
        (directory / LOG_FILE).write_text("listening\n")
        (directory / f"{DATABASE_FILE}-journal").write_bytes(b"")
        for seconds in (0.2, 16.0, 31.0):
            waiting(seconds)
        yield LocalMlflowServer(address, directory / DATABASE_FILE, directory / "artifacts", directory / LOG_FILE)

    monkeypatch.setattr(mlflow_backend, "running_mlflow_server", started)
    stream = io.StringIO()
    output = DemoOutput.prepare(tmp_path / "out")

    with demo_mlflow(None, output, Progress(stream, phases=1)) as mlflow:
        assert mlflow.tracking_uri == address and mlflow.data == tmp_path / "out" / MLFLOW_DIR

    manifest = (tmp_path / "out" / MANIFEST).read_text()
    for name in (DATABASE_FILE, LOG_FILE, f"{DATABASE_FILE}-journal"):
        assert f'"{MLFLOW_DIR}/{name}"' in manifest
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("[1/1] starting a local MLflow server on 127.0.0.1 (SQLite: ")
    assert lines[1:] == ["      waiting for the MLflow server to answer: 15 s", "      waiting for the MLflow server to answer: 30 s"]
    # --force replaces it all: the manifest lists every file the server wrote.
    DemoOutput.prepare(tmp_path / "out", force=True)
    assert not (tmp_path / "out" / MLFLOW_DIR / DATABASE_FILE).exists()
