"""The launcher of the local MLflow server (mlmeta/local/mlflow_server.py): it answers, stopping it leaves
no process behind, and a server that cannot start is one error naming its log."""

from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path

import pytest

from mlmeta.local import mlflow_server as launcher
from mlmeta.local.mlflow_server import MlflowServerError, running_mlflow_server


def processes_mentioning(text: str) -> list[int]:
    """PIDs whose command line contains ``text`` (the server's data directory is on its command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in command:
            found.append(int(entry.name))
    return found


def test_the_session_server_answers_health_and_the_rest_api(mlflow_server):
    with urllib.request.urlopen(mlflow_server.tracking_uri + "/health", timeout=5) as health:
        assert health.status == 200
    url = mlflow_server.tracking_uri + "/api/2.0/mlflow/experiments/get-by-name?experiment_name=Default"
    with urllib.request.urlopen(url, timeout=5) as answer:
        assert b'"experiment_id": "0"' in answer.read().replace(b'":"', b'": "')
    assert mlflow_server.database.is_file()


@pytest.mark.slow
def test_stopping_the_server_leaves_no_process(tmp_path):
    directory = tmp_path / "own-server"
    with running_mlflow_server(directory) as server:
        assert processes_mentioning(str(directory)), "the server should run while inside the context"
        with urllib.request.urlopen(server.tracking_uri + "/health", timeout=5) as health:
            assert health.status == 200
    assert processes_mentioning(str(directory)) == []


def test_a_server_that_exits_early_is_one_error_naming_its_log(tmp_path, monkeypatch):
    monkeypatch.setattr(launcher, "server_command", lambda directory, port: [sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"])
    with pytest.raises(MlflowServerError) as raised:
        with running_mlflow_server(tmp_path):
            pytest.fail("the context must not be entered")
    message = str(raised.value)
    assert "code 3" in message
    assert str(tmp_path / "server.log") in message
    assert "boom" in (tmp_path / "server.log").read_text()


def test_a_server_that_never_answers_times_out_and_is_stopped(tmp_path, monkeypatch):
    marker = f"never-answers-{tmp_path.name}"
    monkeypatch.setattr(launcher, "server_command", lambda directory, port: [sys.executable, "-c", f"import time; time.sleep(60)  # {marker}"])
    with pytest.raises(MlflowServerError, match=r"did not answer within 1 s; see .*server\.log"):
        with running_mlflow_server(tmp_path, timeout=1):
            pytest.fail("the context must not be entered")
    assert processes_mentioning(marker) == []
