"""``python app.py`` as the CDK CLI runs it: context in CDK_CONTEXT_JSON, no AWS credentials."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlmeta.config import UnknownEnvironmentError, get_environment

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]


def node_major() -> str:
    node = shutil.which("node")
    assert node, "the CDK needs Node.js on PATH"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout
    return version.strip().lstrip("v").split(".")[0]


def run_app(outdir: Path, context: dict | None, **extra_env: str) -> subprocess.CompletedProcess:
    # No AWS_* variables at all (no credentials, profile or region) and no instance metadata lookups.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "CDK_CONTEXT_JSON"}
    env.update(CDK_OUTDIR=str(outdir), AWS_EC2_METADATA_DISABLED="true", CDK_VALIDATION="false")
    # jsii prints a banner about the local Node.js version; that is the machine's business, not app.py's output.
    major = node_major()
    env.update(
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=major,
        JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=major,
        JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION="1",
    )
    if context is not None:
        env["CDK_CONTEXT_JSON"] = json.dumps(context)
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "app.py"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_unknown_environment_fails_with_one_line(tmp_path):
    with pytest.raises(UnknownEnvironmentError) as raised:
        get_environment("qa")
    result = run_app(tmp_path, {"env": "qa"})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [str(raised.value)]
    assert not list(tmp_path.glob("*.template.json"))


def test_a_missing_queries_directory_fails_with_one_line(tmp_path):
    missing = tmp_path / "no-such-queries"
    result = run_app(tmp_path, {"env": "dev"}, MLMETA_QUERIES_DIR=str(missing))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"query directory {missing} does not exist"]


def test_without_env_the_app_synthesizes_dev_offline_exactly_like_the_tests(tmp_path, synthesized):
    # A flag from the command line (or cdk.json) is ignored: flags are code (stacks/feature_flags.py).
    # With this one off, log delivery would need an ACL, which bucket-owner-enforced ownership forbids.
    result = run_app(tmp_path, {"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": False})
    assert result.returncode == 0, result.stderr
    in_process = synthesized("dev")
    for stack in in_process.stacks.all():
        template = json.loads((tmp_path / f"{stack.artifact_id}.template.json").read_text())
        assert template == in_process.template_json(stack)


def test_a_non_compliant_use_case_name_in_the_config_fails_with_one_line(tmp_path, monkeypatch, capsys):
    import app
    from dataclasses import replace

    from mlmeta import config

    bad = replace(config.ENVIRONMENTS["dev"], name="dev", use_cases=(config.UseCase(name="Churn_Prediction"),))
    monkeypatch.setitem(config.ENVIRONMENTS, "dev", bad)
    monkeypatch.setenv("CDK_OUTDIR", str(tmp_path))
    monkeypatch.setenv("CDK_CONTEXT_JSON", json.dumps({"env": "dev"}))

    assert app.main() == 1

    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert "'Churn_Prediction" in err[0] and "naming convention" in err[0]
    assert not list(tmp_path.glob("*.template.json"))
