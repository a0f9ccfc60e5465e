"""mlmeta.track on the MLflow backend, against the REAL local MLflow server (the session's
``mlflow_server``): the same names and tags by the convention, one clear error for an unreachable
server or a key MLflow refuses, and nothing half-written."""

from __future__ import annotations

import uuid

import pytest

import mlmeta
from mlmeta.local.mlflow_server import free_port
from mlmeta_contract.naming.tags import TAG_ENVIRONMENT, TAG_KIND, TAG_USE_CASE
from mlmeta.track import BackendError, NameRefused, TrackingError
from mlmeta_contract.mlflow.client import MlflowClient, MlflowRejected

DAY = "20261126"


@pytest.fixture
def mlflow_env(mlflow_server, monkeypatch) -> MlflowClient:
    monkeypatch.setenv("MLMETA_TRACKING_BACKEND", "mlflow")
    monkeypatch.setenv("MLMETA_MLFLOW_TRACKING_URI", mlflow_server.tracking_uri)
    monkeypatch.delenv("MLMETA_NAMING_CONVENTION", raising=False)
    return MlflowClient(mlflow_server.tracking_uri)


@pytest.fixture
def user() -> str:
    """A user of its own per test: the tests share one server, and the user names the experiment."""
    return "t" + uuid.uuid4().hex[:10]


def _tags(entity: dict) -> dict[str, str]:
    return {t["key"]: t["value"] for t in entity.get("tags") or entity.get("data", {}).get("tags") or []}


def test_three_lines_log_a_run_named_and_tagged_by_the_convention(mlflow_env, user):
    with mlmeta.track(use_case="churn-prediction", topic="feature-selection", user=user, date=DAY) as run:
        run.log_params({"max_depth": 5}); run.log_metric("auc", 0.91, step=1)

    experiment_name = f"churn-prediction-eda-{user}"
    trial = f"{experiment_name}-{DAY}-feature-selection"
    assert (run.backend, run.experiment_name, run.trial_name, run.run_name) == ("mlflow", experiment_name, trial, f"{trial}-run1")
    experiment = mlflow_env.get_experiment_by_name(experiment_name)
    assert {k: _tags(experiment)[k] for k in (TAG_USE_CASE, TAG_ENVIRONMENT, TAG_KIND)} == {
        TAG_USE_CASE: "churn-prediction", TAG_ENVIRONMENT: "dev", TAG_KIND: "eda-experiment"}
    logged = mlflow_env.get_run(run.run_id)
    tags = _tags(logged)
    assert {k: tags[k] for k in (TAG_USE_CASE, TAG_ENVIRONMENT, TAG_KIND, "mlmeta:trial")} == {
        TAG_USE_CASE: "churn-prediction", TAG_ENVIRONMENT: "dev", TAG_KIND: "eda-component", "mlmeta:trial": trial}
    assert (logged["info"]["run_name"], logged["info"]["status"]) == (run.run_name, "FINISHED")
    assert logged["info"]["end_time"] >= logged["info"]["start_time"]
    assert logged["data"]["params"] == [{"key": "max_depth", "value": "5"}]
    [auc] = logged["data"]["metrics"]
    assert (auc["key"], auc["value"], auc["step"]) == ("auc", 0.91, 1)


def test_entering_again_reuses_the_experiment_and_numbers_the_runs(mlflow_env, user):
    ids = []
    for value in (0.90, 0.93):
        with mlmeta.track(use_case="churn-prediction", topic="feature-selection", user=user, date=DAY) as run:
            run.log_metric("auc", value)
        ids.append((run.run_name.rsplit("-", 1)[1], run.run_id))
    assert [word for word, _ in ids] == ["run1", "run2"]
    experiment = mlflow_env.get_experiment_by_name(f"churn-prediction-eda-{user}")
    runs = mlflow_env.search_runs([experiment["experiment_id"]])
    assert sorted(r["info"]["run_id"] for r in runs) == sorted(run_id for _, run_id in ids)
    # A named run entered again is the same MLflow run.
    for step, value in ((1, 0.81), (2, 0.82)):
        with mlmeta.track(use_case="churn-prediction", topic="feature-selection", run="baseline", user=user, date=DAY) as named:
            named.log_metric("auc", value, step=step)
        ids.append(("baseline", named.run_id))
    assert ids[2][1] == ids[3][1]
    assert len(mlflow_env.search_runs([experiment["experiment_id"]])) == 3
    history = mlflow_env.get_metric_history(ids[3][1], "auc")
    assert sorted((m["step"], m["value"]) for m in history) == [(1, 0.81), (2, 0.82)]


def test_a_metric_name_mlflow_refuses_is_one_error_and_nothing_of_the_call_is_logged(mlflow_env, user):
    with mlmeta.track(use_case="churn-prediction", topic="feature-selection", user=user, date=DAY) as run:
        with pytest.raises(TrackingError, match=r"^metric name 'auc\?' is refused by MLflow: keys may only contain .*; rename it; nothing of this call was logged$"):
            run.log_metrics({"f1": 0.7, "auc?": 0.9})
        run.log_metric("f1", 0.71)
    assert [(m["key"], m["value"]) for m in mlflow_env.get_run(run.run_id)["data"]["metrics"]] == [("f1", 0.71)]
    # The server itself refuses that key: the check says what MLflow would.
    with pytest.raises(MlflowRejected) as rejected:
        mlflow_env.log_batch(run.run_id, metrics=[{"key": "auc?", "value": 0.9, "timestamp": 0, "step": 0}])
    assert rejected.value.error_code == "INVALID_PARAMETER_VALUE"


def test_an_unreachable_server_is_one_error_before_anything_is_created(mlflow_env, user, monkeypatch):
    monkeypatch.setenv("MLMETA_MLFLOW_TRACKING_URI", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(BackendError) as failed:
        with mlmeta.track(use_case="churn-prediction", topic="feature-selection", user=user):
            pytest.fail("the block must not run")
    message = str(failed.value)
    assert message.startswith(f"cannot find churn-prediction-eda-{user} on MLflow: MLflow at http://127.0.0.1:")
    assert "is unreachable" in message and message.endswith("nothing was created") and "\n" not in message
    assert mlflow_env.get_experiment_by_name(f"churn-prediction-eda-{user}") is None


def test_an_off_convention_name_is_refused_before_mlflow_is_called(mlflow_env, monkeypatch):
    # Not even a server: the refusal comes first.
    monkeypatch.setenv("MLMETA_MLFLOW_TRACKING_URI", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(NameRefused, match=r"^user 'Ikazaki' is not one word of lowercase letters and digits, no hyphens \[uppercase\]"):
        with mlmeta.track(use_case="churn-prediction", topic="feature-selection", user="Ikazaki"):
            pass


def test_a_changed_parameter_is_refused_by_mlflow_in_one_line(mlflow_env, user):
    with pytest.raises(BackendError, match=r"^cannot log parameters of .*-baseline on MLflow: .*INVALID_PARAMETER_VALUE"):
        with mlmeta.track(use_case="churn-prediction", topic="feature-selection", run="baseline", user=user, date=DAY) as run:
            run.log_params({"max_depth": 5})
            run.log_params({"max_depth": 7})
    assert mlflow_env.get_run(run.run_id)["info"]["status"] == "FAILED"
    assert _tags(mlflow_env.get_run(run.run_id))["mlmeta:failure"].startswith("BackendError: cannot log parameters")


def test_backend_argument_overrides_the_environment(mlflow_env, user, monkeypatch, mlflow_server):
    monkeypatch.setenv("MLMETA_TRACKING_BACKEND", "sagemaker")
    with mlmeta.track(use_case="churn-prediction", topic="eda", user=user, backend="mlflow") as run:
        pass
    assert run.backend == "mlflow" and run.run_id


def test_two_notebooks_counting_the_same_run_number_at_once_get_different_names(mlflow_env, user, monkeypatch):
    from mlmeta.track.mlflow_backend import MlflowRun

    counted = MlflowRun._next_run
    stale = iter(["run1"])  # the second notebook counted before the first one's run existed

    def counted_before_the_first_run_existed(self, names):
        return next(stale, None) or counted(self, names)

    with mlmeta.track(use_case="churn-prediction", topic="race", user=user, date=DAY) as first:
        monkeypatch.setattr(MlflowRun, "_next_run", counted_before_the_first_run_existed)
        with mlmeta.track(use_case="churn-prediction", topic="race", user=user, date=DAY) as second:
            second.log_metric("auc", 0.5)
        first.log_metric("auc", 0.6)

    assert (first.run_name.rsplit("-", 1)[1], second.run_name.rsplit("-", 1)[1]) == ("run1", "run2")
    experiment = mlflow_env.get_experiment_by_name(f"churn-prediction-eda-{user}")
    names = {r["info"]["run_id"]: r["info"]["run_name"] for r in mlflow_env.search_runs([experiment["experiment_id"]])}
    assert names == {first.run_id: first.run_name, second.run_id: second.run_name}
