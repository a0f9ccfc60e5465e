"""The evaluate step on the MLflow backend (MLMETA_TRACKING_BACKEND=mlflow), against the REAL MLflow server.

Each test uses its own execution id, so the runs of the shared session server never collide."""

from __future__ import annotations

import json
import uuid

import pytest
from step_fixtures import ENV, REGION, USE_CASE, load_sklearn_model
from test_step_evaluate import argv, workspace  # noqa: F401  (the module-scoped fixture, shared)

from mlmeta.local.mlflow_server import free_port
from mlmeta_contract.mlflow.backend import TRACKING_BACKEND_ENV_VAR
from mlmeta_contract.mlflow.client import TRACKING_URI_ENV_VAR, MlflowClient
from pipelines.churn_prediction import evaluate

EXPERIMENT = f"{USE_CASE}-{ENV}-pipeline"


def new_execution() -> tuple[str, str]:
    execution_id = uuid.uuid4().hex[:12]
    return execution_id, f"arn:aws:sagemaker:{REGION}:123456789012:pipeline/{USE_CASE}-{ENV}/execution/{execution_id}"


@pytest.fixture
def on_mlflow(mlflow_server, aws_env, monkeypatch) -> MlflowClient:
    monkeypatch.setenv(TRACKING_BACKEND_ENV_VAR, "mlflow")
    monkeypatch.setenv(TRACKING_URI_ENV_VAR, mlflow_server.tracking_uri)

    def no_sagemaker(region):
        raise AssertionError("the MLflow backend must not call SageMaker")

    monkeypatch.setattr(evaluate, "boto_session", no_sagemaker)
    return MlflowClient(mlflow_server.tracking_uri)


def run(root, execution_id: str, execution_arn: str, **overrides) -> int:
    return evaluate.main(argv(root, **{"execution-id": execution_id, "execution-arn": execution_arn, **overrides}),
                         load_model=load_sklearn_model)


def runs_named(client: MlflowClient, experiment: str, run_name: str) -> list[dict]:
    found = client.get_experiment_by_name(experiment)
    if found is None:
        return []
    return client.search_runs([found["experiment_id"]], filter_string=f"attributes.run_name = '{run_name}'")


def test_the_step_records_one_run_named_by_the_convention(workspace, on_mlflow, capsys):  # noqa: F811
    root, _ = workspace
    execution_id, execution_arn = new_execution()
    assert run(root, execution_id, execution_arn) == 0
    trial = f"{USE_CASE}-{ENV}-{execution_id}-analysis"
    (found,) = runs_named(on_mlflow, EXPERIMENT, f"{trial}-evaluation")
    assert f"recorded trial {trial}, component {trial}-evaluation" in capsys.readouterr().out

    run_data = found["data"]
    report = json.loads((root / "evaluation" / "evaluation.json").read_text())
    metrics = {m["key"]: m["value"] for m in run_data["metrics"]}
    assert metrics == pytest.approx({name: entry["value"] for name, entry in report["binary_classification_metrics"].items()})
    tags = {t["key"]: t["value"] for t in run_data["tags"]}
    assert {key: tags[key] for key in ("mlmeta:use-case", "mlmeta:environment", "mlmeta:kind", "mlmeta:trial",
                                        "mlmeta:pipeline-execution-arn", "mlmeta:metrics-logged")} == {
        "mlmeta:use-case": USE_CASE,
        "mlmeta:environment": ENV,
        "mlmeta:kind": "analysis-component",
        "mlmeta:trial": trial,
        "mlmeta:pipeline-execution-arn": execution_arn,
        "mlmeta:metrics-logged": str(len(metrics)),
    }
    assert tags["mlmeta:input-artifact:model"].endswith("model.tar.gz")
    assert tags["mlmeta:output-artifact:evaluation"].startswith("s3://")
    params = {p["key"]: p["value"] for p in run_data["params"]}
    assert params["decision_threshold"] == "0.5"
    assert params["test_rows"].isdigit()
    assert 0 < float(params["test_positive_rate"]) < 1
    assert found["info"]["status"] == "FINISHED"
    assert found["info"]["end_time"] >= found["info"]["start_time"]
    experiment_tags = {t["key"]: t["value"] for t in on_mlflow.get_experiment_by_name(EXPERIMENT)["tags"]}
    assert experiment_tags["mlmeta:kind"] == "pipeline-experiment"


def test_a_retried_step_adopts_its_run(workspace, on_mlflow):  # noqa: F811
    root, _ = workspace
    execution_id, execution_arn = new_execution()
    assert run(root, execution_id, execution_arn) == 0
    assert run(root, execution_id, execution_arn) == 0
    (found,) = runs_named(on_mlflow, EXPERIMENT, f"{USE_CASE}-{ENV}-{execution_id}-analysis-evaluation")
    assert found["info"]["status"] == "FINISHED"


def test_a_metric_name_mlflow_rejects_fails_before_anything_is_written(workspace, on_mlflow, monkeypatch, capsys):  # noqa: F811
    root, _ = workspace
    scored = evaluate.binary_classification_metrics
    monkeypatch.setattr(evaluate, "binary_classification_metrics", lambda *args: {**scored(*args), "recall@k": 0.4})
    execution_id, execution_arn = new_execution()
    # A use case of its own: its experiment must not exist afterwards either.
    use_case = f"keycheck-{execution_id[:6]}"
    execution_arn = execution_arn.replace(f"pipeline/{USE_CASE}-{ENV}", f"pipeline/{use_case}-{ENV}")
    assert run(root, execution_id, execution_arn, **{"use-case": use_case}) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("evaluate: metric name 'recall@k' is refused by MLflow")
    assert "\n" not in error
    assert on_mlflow.get_experiment_by_name(f"{use_case}-{ENV}-pipeline") is None


def test_an_unreachable_mlflow_server_is_one_line_naming_it(workspace, on_mlflow, monkeypatch, capsys):  # noqa: F811
    root, _ = workspace
    closed = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv(TRACKING_URI_ENV_VAR, closed)
    assert run(root, *new_execution()) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"evaluate: MLflow at {closed}")
    assert "unreachable" in error and TRACKING_URI_ENV_VAR in error
    assert "\n" not in error


def test_an_unknown_backend_fails_before_any_work(workspace, aws_env, monkeypatch, capsys):  # noqa: F811
    root, _ = workspace
    monkeypatch.setenv(TRACKING_BACKEND_ENV_VAR, "wandb")
    assert run(root, *new_execution()) == 1
    assert capsys.readouterr().err.strip() == (
        f"evaluate: {TRACKING_BACKEND_ENV_VAR}='wandb' is not a tracking backend: set it to sagemaker or mlflow"
    )


def test_the_mlflow_backend_needs_its_tracking_uri(workspace, aws_env, monkeypatch, capsys):  # noqa: F811
    root, _ = workspace
    monkeypatch.setenv(TRACKING_BACKEND_ENV_VAR, "mlflow")
    monkeypatch.delenv(TRACKING_URI_ENV_VAR, raising=False)
    assert run(root, *new_execution()) == 1
    assert capsys.readouterr().err.startswith(f"evaluate: {TRACKING_URI_ENV_VAR} is not set")
