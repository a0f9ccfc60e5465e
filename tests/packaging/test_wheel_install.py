"""The base install, as an analyst gets it: a wheel built from this checkout, installed into a fresh venv
with only its base requirements (no extra). The lake's commands and mlmeta.analytics work there, on a lake
this test writes, and what synth and the local harness need is not installed at all: the split is real."""

from __future__ import annotations

import email.parser
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from mlmeta.local.synthetic_lake import Drift, generate_history, write_lake

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).resolve().parents[2]
# What the wheel is built from: the package and what pyproject.toml names (a copy: no build/ in the checkout).
# The wheel is built from these alone: the library, the contract it installs beside it, the metadata.
WHEEL_SOURCES = ("pyproject.toml", "README.md", "mlmeta", "mlmeta_contract")
NOT_IN_THE_BASE_INSTALL = ("aws_cdk", "cdk_nag", "constructs", "sagemaker", "moto", "aws_lambda_powertools", "pydantic")
# Each module that imports moto or Powertools at module level belongs to the local harness.
HARNESS_PACKAGE = "mlmeta.local."

IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, sys
import mlmeta
failed = {}
for module in pkgutil.walk_packages(mlmeta.__path__, "mlmeta."):
    if module.name.endswith(".__main__"):  # runs a command
        continue
    try:
        importlib.import_module(module.name)
    except ImportError as err:
        failed[module.name] = err.name
loaded = sorted({name.partition(".")[0] for name in sys.modules} & set(sys.argv[1:]))
print(json.dumps({"file": mlmeta.__file__, "failed": failed, "loaded": loaded}))
"""

ANALYTICS = """
import sys
from mlmeta import analytics
runs = analytics.runs("churn-prediction", "dev", lake=sys.argv[1])
drift = analytics.metric_drift("auc", "churn-prediction", "dev", lake=sys.argv[1])
print(len(runs), "DRIFT" in set(drift.flag))
"""


def base_requirements(wheel: Path) -> list[str]:
    """The wheel's Requires-Dist without an ``extra ==`` marker: what ``pip install mlmeta`` installs."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        headers = email.parser.Parser().parsestr(archive.read(metadata).decode())
    return [requirement for requirement in headers.get_all("Requires-Dist") if "extra ==" not in requirement]


@pytest.fixture(scope="module")
def base_venv(tmp_path_factory) -> Path:
    # Built once per run: pytest-xdist's workers share the run's directory (their base temps' parent) and
    # wait for the first one's build.
    run_directory = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_directory = run_directory.parent
    work = run_directory / "base-install"
    work.mkdir(exist_ok=True)
    with open(work / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (work / "ready").exists():
            build_base_install(work)
            (work / "ready").touch()
    return work / "venv"


def build_base_install(work: Path) -> None:
    """``work/dist/mlmeta-*.whl`` built from a copy of the checkout, installed into ``work/venv`` with its base requirements."""
    source = work / "source"
    source.mkdir()
    for name in WHEEL_SOURCES:
        if (REPOSITORY / name).is_dir():
            shutil.copytree(REPOSITORY / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(REPOSITORY / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--wheel-dir", str(work / "dist"), str(source)], check=True, timeout=300)
    wheel = next((work / "dist").glob("mlmeta-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    into = [*pip, "--python", str(venv / "bin" / "python"), "install"]
    subprocess.run([*into, "--no-deps", str(wheel)], check=True, timeout=300)
    subprocess.run([*into, *base_requirements(wheel)], check=True, timeout=600)


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("lake")
    write_lake(directory, generate_history(executions=40, drift=Drift(metric_name="auc", start_run=30, shift=-0.1)))
    return directory


def run(venv: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # Outside the checkout (python -c would import ./mlmeta first) and with nothing of this venv's path.
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(venv / "bin" / argv[0]), *argv[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_wheel_requires_nothing_of_synth_or_the_local_harness(base_venv):
    wheel = next(base_venv.parent.glob("dist/mlmeta-*.whl"))
    names = {requirement.partition("==")[0].lower() for requirement in base_requirements(wheel)}
    assert names == {"boto3", "botocore", "duckdb", "sqlglot", "pandas", "pyarrow", "matplotlib"}


def test_every_library_module_imports_without_the_cdk_the_sdk_or_moto(base_venv, tmp_path):
    report = json.loads(ok(run(base_venv, "python", "-c", IMPORT_EVERY_MODULE, *NOT_IN_THE_BASE_INSTALL, cwd=tmp_path)))

    assert Path(report["file"]).is_relative_to(base_venv)  # the wheel's mlmeta, not the checkout's
    assert report["loaded"] == []
    # Only the local harness's modules need what the base install lacks, and only moto or Powertools.
    assert report["failed"] and all(name.startswith(HARNESS_PACKAGE) for name in report["failed"]), report["failed"]
    assert set(report["failed"].values()) <= {"moto", "aws_lambda_powertools"}
    for module in NOT_IN_THE_BASE_INSTALL:
        probe = f"import importlib.util; assert importlib.util.find_spec({module!r}) is None"
        ok(run(base_venv, "python", "-c", probe, cwd=tmp_path))


def test_the_lake_commands_and_the_library_run_from_the_wheel(base_venv, lake, tmp_path):
    started = time.monotonic()
    usage = ok(run(base_venv, "mlmeta", "--help", cwd=tmp_path))
    assert {"query", "replay", "demo", "rehearse"} <= set(usage.split("{", 1)[1].split("}", 1)[0].split(","))
    listed = ok(run(base_venv, "mlmeta", "queries", "--format", "json", cwd=tmp_path))
    assert {"metric_drift", "metric_history", "runs"} <= {json.loads(line)["name"] for line in listed.splitlines()}

    history = ok(run(base_venv, "mlmeta", "query", "metric_history", "--param", "churn-prediction-dev", "--param", "auc",
                     "--param", "2026-01-01", "--param", "2026-12-31", "--lake", str(lake), "--format", "json", cwd=tmp_path))
    assert len(history.splitlines()) == 40

    chart = tmp_path / "auc.png"
    ok(run(base_venv, "mlmeta", "plot", "auc", "--use-case", "churn-prediction", "--lake", str(lake), "--out", str(chart), cwd=tmp_path))
    assert chart.read_bytes().startswith(b"\x89PNG")

    assert ok(run(base_venv, "python", "-c", ANALYTICS, str(lake), cwd=tmp_path)).split() == ["40", "True"]

    raw = sorted(path.relative_to(lake) for path in lake.rglob("*.json.gz"))
    ok(run(base_venv, "mlmeta", "compact", "--lake", str(lake), cwd=tmp_path))
    assert sorted(path.relative_to(lake) for path in lake.rglob("*.json.gz")) == raw  # raw objects kept
    assert any((lake / "compacted").rglob("*.parquet"))
    after = ok(run(base_venv, "mlmeta", "query", "metric_history", "--param", "churn-prediction-dev", "--param", "auc",
                   "--param", "2026-01-01", "--param", "2026-12-31", "--lake", str(lake), "--format", "json", cwd=tmp_path))
    assert after == history
    print(f"lake commands in the base venv: {time.monotonic() - started:.1f} s")


@pytest.mark.parametrize("argv", [("demo", "--out", "demo"), ("replay", "events.json"), ("rehearse", "--env", "dev")])
def test_the_local_harness_says_what_to_install(base_venv, tmp_path, argv):
    done = run(base_venv, "mlmeta", *argv, cwd=tmp_path)

    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [
        f"mlmeta {argv[0]}: error: this command needs the local harness (the [dev] extra), which is not installed "
        "(missing: aws_lambda_powertools, pydantic, moto): in a checkout of the mlmeta repository, run make install "
        "(or pip install -e '.[deploy,dev]')"
    ]
    assert list(tmp_path.iterdir()) == []
