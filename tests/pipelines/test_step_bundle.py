"""The step bundle runs as SageMaker runs it: ``python3 <bundle>.zip <package>.<step> ...``."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from stacks.pipeline.step_code import StepCodeError, bundle_files
from stacks.common.runtime_code import REPOSITORY_ROOT

# The oldest Python of the SageMaker images the steps run in (scikit-learn 1.2-1, XGBoost 1.7-1).
OLDEST_CONTAINER_PYTHON = (3, 8)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The bundle zipped the way the CDK CLI zips a directory asset (paths relative to its root)."""
    path = tmp_path_factory.mktemp("bundle") / "0123abcd.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for inside, source in bundle_files("churn_prediction").items():
            archive.write(source, inside)
    return path


def run_bundle(bundle: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    # Not the repository on sys.path: only what is in the zip (plus the interpreter's packages).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, str(bundle), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_bundle_holds_the_entry_point_the_steps_and_what_they_import():
    files = bundle_files("churn_prediction")
    assert "__main__.py" in files
    for required in (
        "pipelines/churn_prediction/preprocess.py",
        "pipelines/churn_prediction/evaluate.py",
        "pipelines/common/tracking.py",
        "pipelines/common/botocore_data/sagemaker-metrics/2022-09-30/service-2.json",
        "mlmeta_contract/__init__.py",
        "mlmeta_contract/naming/__init__.py",
        "mlmeta_contract/naming/tags.py",
        "mlmeta_contract/mlflow/client.py",
        "mlmeta_contract/mlflow/names.py",
        "pipelines/common/mlflow_tracking.py",
    ):
        assert required in files
    assert not [name for name in files if "__pycache__" in name or name.endswith(".pyc")]
    # The contract whole, nothing of the mlmeta library; of pipelines/ only the shared and this use case's steps.
    assert {name.split("/")[0] for name in files} == {"__main__.py", "pipelines", "mlmeta_contract"}
    contract = {p.relative_to(REPOSITORY_ROOT).as_posix() for p in (REPOSITORY_ROOT / "mlmeta_contract").rglob("*.py") if "__pycache__" not in p.parts}
    assert contract <= set(files)
    assert not [name for name in files if name.startswith("pipelines/") and name.split("/")[1] not in ("__init__.py", "common", "churn_prediction")]


def test_preprocess_runs_from_the_zip(bundle, tmp_path):
    result = run_bundle(bundle, "churn_prediction.preprocess", "--rows", "100", "--output-base", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["test", "train", "validation"]
    assert len((tmp_path / "out" / "train" / "train.csv").read_text().splitlines()) == 70


def test_evaluate_resolves_its_imports_inside_the_zip(bundle, tmp_path):
    # --help imports the step module and everything it imports, and needs no AWS.
    result = run_bundle(bundle, "churn_prediction.evaluate", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "--execution-arn" in result.stdout


def test_bundled_botocore_model_is_readable_from_inside_the_zip(bundle, tmp_path):
    script = (
        "import sys, pathlib; sys.path.insert(0, sys.argv[1]);"
        "from pipelines.common.aws import extract_bundled_models;"
        "root = extract_bundled_models(pathlib.Path(sys.argv[2]));"
        "print(sorted(p.name for p in root.rglob('*.json')))"
    )
    result = subprocess.run([sys.executable, "-c", script, str(bundle), str(tmp_path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['endpoint-rule-set-1.json', 'service-2.json']"


def test_an_unknown_or_malformed_step_is_a_usage_error(bundle, tmp_path):
    result = run_bundle(bundle, "../etc", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: python -m pipelines <use_case_package>.<step>")


def test_bundle_code_parses_as_the_oldest_container_python():
    for inside, source in bundle_files("churn_prediction").items():
        if inside.endswith(".py"):
            ast.parse(source.read_text(encoding="utf-8"), filename=inside, feature_version=OLDEST_CONTAINER_PYTHON)


def test_naming_imports_on_the_oldest_container_python_when_one_is_installed(bundle):
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); from mlmeta_contract.naming import new;"
        "print(new('analysis-component', use_case='churn', env='dev', execution_id='p4jn9xou8a8s', step='evaluation'))"
    )
    assert run_on_the_oldest_container_python(script, bundle) == "churn-dev-p4jn9xou8a8s-analysis-evaluation"


def test_the_mlflow_backend_imports_on_the_oldest_container_python_when_one_is_installed(bundle):
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from mlmeta_contract.mlflow.client import MlflowClient; from mlmeta_contract.mlflow.keys import check_record, param_text;"
        "from mlmeta_contract.mlflow.names import pipeline_run_names;"
        "names = pipeline_run_names(use_case='churn', env='dev', execution_id='p4jn9xou8a8s', execution_arn='arn', step='evaluation');"
        "check_record(metrics={'auc': 0.5}, params={'n': param_text(3.0)}, tags=names.run_tags);"
        "print(names.run_name, MlflowClient.from_uri('http://127.0.0.1:5000').base_url)"
    )
    assert run_on_the_oldest_container_python(script, bundle) == "churn-dev-p4jn9xou8a8s-analysis-evaluation http://127.0.0.1:5000"


def run_on_the_oldest_container_python(script: str, bundle: Path) -> str:
    """``script``'s output on Python 3.8 with the bundle as its argument; the test is skipped without one."""
    interpreter = oldest_container_python()
    if interpreter is None:
        pytest.skip("no Python 3.8 on this machine (the syntax check above still runs)")
    result = subprocess.run([str(interpreter), "-c", script, str(bundle)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def oldest_container_python() -> str | None:
    """A working Python 3.8 (pyenv's, or one on PATH; a pyenv shim without the version does not count)."""
    candidates = [str(p) for p in sorted(Path.home().glob(".pyenv/versions/3.8*/bin/python"))] + [shutil.which("python3.8")]
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True, check=False)
        if probe.returncode == 0 and probe.stdout.strip() == "(3, 8)":
            return candidate
    return None


def test_a_package_without_its_steps_is_refused(tmp_path):
    (tmp_path / "pipelines" / "fraud").mkdir(parents=True)
    (tmp_path / "pipelines" / "fraud" / "preprocess.py").write_text("")
    with pytest.raises(StepCodeError, match=r"missing pipelines/fraud/evaluate.py$"):
        bundle_files("fraud", root=tmp_path)
