"""The stdlib MLflow client against a REAL MLflow tracking server (the session's ``mlflow_server``)."""

from __future__ import annotations

import socket
import threading
import time
import uuid

import pytest

from mlmeta.local.mlflow_server import free_port
from mlmeta_contract.mlflow.client import (
    TRACKING_URI_ENV_VAR,
    MlflowClient,
    MlflowRejected,
    MlflowUnreachable,
)


@pytest.fixture
def client(mlflow_server) -> MlflowClient:
    return MlflowClient(mlflow_server.tracking_uri)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def now_ms() -> int:
    return int(time.time() * 1000)


def test_experiment_round_trip_and_replay_creates_nothing(client):
    name = unique("churn-prediction-dev-pipeline")
    assert client.get_experiment_by_name(name) is None
    created = client.ensure_experiment(name, tags={"mlmeta:kind": "pipeline-experiment"})
    again = client.ensure_experiment(name, tags={"mlmeta:kind": "pipeline-experiment"})
    assert again == created
    experiment = client.get_experiment_by_name(name)
    assert experiment["experiment_id"] == created
    assert {t["key"]: t["value"] for t in experiment["tags"]}["mlmeta:kind"] == "pipeline-experiment"


def test_create_experiment_twice_is_rejected_with_mlflows_code(client):
    name = unique("dup")
    client.create_experiment(name)
    with pytest.raises(MlflowRejected) as raised:
        client.create_experiment(name)
    assert raised.value.error_code == "RESOURCE_ALREADY_EXISTS"
    assert raised.value.status == 400


def test_run_log_batch_update_and_tag_round_trip(client):
    experiment_id = client.ensure_experiment(unique("round-trip"))
    start = now_ms()
    run = client.create_run(experiment_id, run_name="churn-prediction-dev-abc-analysis-evaluation", start_time_ms=start,
                            tags={"mlmeta:use-case": "churn-prediction"})
    run_id = run["info"]["run_id"]
    client.log_batch(
        run_id,
        metrics=[{"key": "auc", "value": 0.91, "timestamp": start, "step": 0},
                 {"key": "eval/f1 score", "value": 0.5, "timestamp": start, "step": 0}],
        params={"threshold": 0.5, "mlmeta:metrics-logged": 2},
        tags={"mlmeta:kind": "analysis-component"},
    )
    client.set_tag(run_id, "mlmeta:naming", "compliant")
    info = client.update_run(run_id, status="FINISHED", end_time_ms=start + 1000)
    assert info["status"] == "FINISHED"

    fetched = client.get_run(run_id)
    data = fetched["data"]
    assert {m["key"]: m["value"] for m in data["metrics"]} == {"auc": 0.91, "eval/f1 score": 0.5}
    assert {p["key"]: p["value"] for p in data["params"]} == {"threshold": "0.5", "mlmeta:metrics-logged": "2"}
    tags = {t["key"]: t["value"] for t in data["tags"]}
    assert tags["mlmeta:use-case"] == "churn-prediction"
    assert tags["mlmeta:kind"] == "analysis-component"
    assert tags["mlmeta:naming"] == "compliant"
    assert fetched["info"]["run_name"] == "churn-prediction-dev-abc-analysis-evaluation"
    assert fetched["info"]["end_time"] == start + 1000


def test_search_runs_reads_every_page_and_filters_by_tag(client):
    experiment_id = client.ensure_experiment(unique("paging"))
    created = []
    for index in range(5):
        tags = {"mlmeta:pipeline-execution-arn": "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/x" if index % 2 else "other"}
        created.append(client.create_run(experiment_id, run_name=f"run-{index}", start_time_ms=now_ms() + index, tags=tags)["info"]["run_id"])

    every = client.search_runs([experiment_id], page_size=2)
    assert sorted(run["info"]["run_id"] for run in every) == sorted(created)

    chosen = client.search_runs(
        [experiment_id],
        filter_string="tags.`mlmeta:pipeline-execution-arn` = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/x'",
        page_size=1,
        order_by=["attributes.start_time ASC"],
    )
    assert [run["info"]["run_name"] for run in chosen] == ["run-1", "run-3"]


def test_a_metric_name_mlflow_rejects_names_the_key(client):
    experiment_id = client.ensure_experiment(unique("bad-key"))
    run_id = client.create_run(experiment_id, run_name="r", start_time_ms=now_ms())["info"]["run_id"]
    with pytest.raises(MlflowRejected) as raised:
        client.log_batch(run_id, metrics=[{"key": "auc", "value": 1.0, "timestamp": now_ms(), "step": 0},
                                          {"key": "recall@k", "value": 1.0, "timestamp": now_ms(), "step": 0}])
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "recall@k" in str(raised.value)
    # MLflow applies a batch as a whole: the valid metric of the refused batch is not there either.
    assert client.get_run(run_id)["data"].get("metrics", []) == []


def test_missing_run_is_rejected_as_does_not_exist(client):
    with pytest.raises(MlflowRejected) as raised:
        client.get_run("0" * 32)
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert raised.value.status == 404


def test_closed_port_is_one_clear_unreachable_error():
    uri = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(MlflowUnreachable) as raised:
        MlflowClient(uri, timeout=2).get_experiment_by_name("x")
    message = str(raised.value)
    assert uri in message
    assert "refused" in message.lower()
    assert TRACKING_URI_ENV_VAR in message
    assert "\n" not in message


def test_a_server_that_never_answers_times_out_as_unreachable():
    # Accepts the connection, never answers: the client's timeout, not a hang.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        accepted: list[socket.socket] = []
        thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
        thread.start()
        began = time.monotonic()
        with pytest.raises(MlflowUnreachable) as raised:
            MlflowClient(f"http://127.0.0.1:{port}", timeout=0.5).search_runs(["0"])
        assert time.monotonic() - began < 5
        assert "timed out" in str(raised.value)
        for connection in accepted:
            connection.close()


def test_from_environment_needs_the_variable():
    with pytest.raises(ValueError, match=TRACKING_URI_ENV_VAR):
        MlflowClient.from_environment({})
    assert MlflowClient.from_environment({TRACKING_URI_ENV_VAR: "http://127.0.0.1:5000/"}).base_url == "http://127.0.0.1:5000"


def test_a_uri_that_is_neither_http_nor_arn_is_refused():
    with pytest.raises(ValueError, match="file:///tmp/mlruns"):
        MlflowClient.from_uri("file:///tmp/mlruns")


def test_log_batch_over_mlflows_limits_is_refused_before_sending():
    # No server: the check runs before any request.
    client = MlflowClient(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ValueError, match="101 params"):
        client.log_batch("r", params={f"p{i}": i for i in range(101)})
