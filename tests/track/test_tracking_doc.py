"""docs/tracking.md runs as written: its Python blocks are executed, in order and in one namespace, against
the embedded AWS (as the caller ``ikazaki``, an assumed role's session) and again against the real local
MLflow server (the session's ``mlflow_server``), with only the environment telling them apart."""

from __future__ import annotations

import contextlib
import io
import re
import uuid
from pathlib import Path

import boto3
import matplotlib.image
import pytest

from mlmeta.charts.render import PIXEL_SIZE

DOC = Path(__file__).resolve().parents[2] / "docs" / "tracking.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _run_the_doc(directory: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, str]:
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) == 5  # the session, more runs, the DataFrame, the chart, a refusal
    monkeypatch.chdir(directory)
    namespace: dict = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for number, block in enumerate(blocks, 1):
            exec(compile(block, f"{DOC.name}, python block {number}", "exec"), namespace)
    return namespace, printed.getvalue()


def _check(namespace: dict, printed: str, directory: Path, user: str) -> None:
    df = namespace["df"]
    assert df["run"].tolist() == ["run1", "run2", "run3", "run4"]
    assert df["param.max_depth"].tolist() == ["5", "3", "7", "9"]
    assert df["metric.auc"].round(6).tolist() == [0.91, 0.84, 0.84, 0.82]
    assert set(df["status"]) == {"Completed"} and set(df["user"]) == {user}
    assert namespace["run"].experiment_name == f"churn-prediction-eda-{user}"
    height, width = matplotlib.image.imread(directory / "auc-feature-selection.png").shape[:2]
    assert (width, height) == PIXEL_SIZE
    assert "topic 'Holdout-Check' is not lowercase letters and digits in words separated by single hyphens [uppercase]" in printed


def test_the_doc_runs_against_the_embedded_aws(local_aws, tmp_path, monkeypatch):
    credentials = boto3.client("sts").assume_role(
        RoleArn="arn:aws:iam::123456789012:role/DataScientist", RoleSessionName="ikazaki")["Credentials"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials["SecretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", credentials["SessionToken"])
    namespace, printed = _run_the_doc(tmp_path, monkeypatch)
    _check(namespace, printed, tmp_path, "ikazaki")
    assert namespace["run"].backend == "sagemaker"


def test_the_doc_runs_against_the_local_mlflow_server(mlflow_server, tmp_path, monkeypatch):
    monkeypatch.setenv("MLMETA_TRACKING_BACKEND", "mlflow")
    monkeypatch.setenv("MLMETA_MLFLOW_TRACKING_URI", mlflow_server.tracking_uri)
    monkeypatch.delenv("MLMETA_NAMING_CONVENTION", raising=False)
    user = "doc" + uuid.uuid4().hex[:8]  # the login MLflow's user comes from; the server is shared
    monkeypatch.setenv("LOGNAME", user)
    namespace, printed = _run_the_doc(tmp_path, monkeypatch)
    _check(namespace, printed, tmp_path, user)
    assert namespace["run"].backend == "mlflow"
