"""A real MLflow tracking server on 127.0.0.1 (SQLite backend, local artifact root), started as a process.

The MLflow backend is tested, demonstrated and benchmarked against the real server, never a mock: the
tests, ``mlmeta demo --backend mlflow`` and ``bench/`` start one with :func:`running_mlflow_server`. The
server is the ``mlflow`` package of this venv (the ``[dev]`` extra) run as ``python -m mlflow server``,
so nothing is looked up on PATH; its database and artifacts live in a directory the caller owns.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

# The first start creates the SQLite schema (alembic migrations): a few seconds on a quiet machine,
# much more on a loaded one.
STARTUP_TIMEOUT_SECONDS = 120.0
HEALTH_PATH = "/health"
# What a server keeps in its directory (the demo lists them in its manifest before the server writes them).
DATABASE_FILE = "mlflow.db"
ARTIFACTS_DIR = "artifacts"
LOG_FILE = "server.log"


class MlflowServerError(RuntimeError):
    """The local MLflow server could not be started (one line: what failed and what to do)."""


@dataclass(frozen=True)
class LocalMlflowServer:
    """A running server: its tracking URI (``http://127.0.0.1:<port>``) and where it keeps its data."""

    tracking_uri: str
    database: Path
    artifacts: Path
    log: Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_command(directory: Path, port: int) -> list[str]:
    """The command line of a single-worker server keeping its runs in ``directory/DATABASE_FILE``."""
    return [
        sys.executable,
        "-m",
        "mlflow",
        "server",
        "--backend-store-uri",
        f"sqlite:///{directory / DATABASE_FILE}",
        "--default-artifact-root",
        (directory / ARTIFACTS_DIR).as_uri(),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]


def require_mlflow() -> None:
    """MlflowServerError, saying what to install, unless this venv has the mlflow package (the server runs
    as a process: it is found, not imported, which would take seconds)."""
    if importlib.util.find_spec("mlflow") is None:
        raise MlflowServerError("the local MLflow server needs the mlflow package: pip install -e '.[dev]' (or make install)")


def _healthy(tracking_uri: str) -> bool:
    try:
        with urllib.request.urlopen(tracking_uri + HEALTH_PATH, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


@contextlib.contextmanager
def running_mlflow_server(
    directory: Path,
    *,
    timeout: float = STARTUP_TIMEOUT_SECONDS,
    waiting: Callable[[float], None] | None = None,
) -> Iterator[LocalMlflowServer]:
    """Start a server keeping its data in ``directory``, wait until it answers, stop it on exit.
    ``waiting`` is called with the seconds waited so far, between polls (the demo's progress)."""
    require_mlflow()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ARTIFACTS_DIR).mkdir(exist_ok=True)
    port = free_port()
    server = LocalMlflowServer(
        tracking_uri=f"http://127.0.0.1:{port}",
        database=directory / DATABASE_FILE,
        artifacts=directory / ARTIFACTS_DIR,
        log=directory / LOG_FILE,
    )
    # The server's own telemetry and its "new version" notices would reach for the internet.
    environment = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    with server.log.open("ab") as log:
        process = subprocess.Popen(
            server_command(directory, port), stdout=log, stderr=subprocess.STDOUT, env=environment, start_new_session=True
        )
    try:
        started = time.monotonic()
        deadline = started + timeout
        while not _healthy(server.tracking_uri):
            if process.poll() is not None:
                raise MlflowServerError(
                    f"the local MLflow server exited with code {process.returncode} before answering; see {server.log}"
                )
            if time.monotonic() > deadline:
                raise MlflowServerError(f"the local MLflow server did not answer within {timeout:.0f} s; see {server.log}")
            if waiting is not None:
                waiting(time.monotonic() - started)
            time.sleep(0.2)
        yield server
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    # The server runs gunicorn/uvicorn workers in its own session: stop the whole group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 15)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 9)
        process.wait(timeout=15)
