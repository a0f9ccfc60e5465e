"""The synth-time definition builder on its own: offline, deterministic, and its small pieces."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pipeline_template import run_time_name

from mlmeta_contract.naming import DEFAULT_CONVENTION, convention_from_dict, new
from stacks.pipeline.definition import PipelineSpec, build_definition, environment_trial_name
from stacks.pipeline.definition.binary_classification import convention_environment
from stacks.pipeline.sagemaker_pipeline import DefinitionReferenceError, check_references

REPOSITORY = Path(__file__).resolve().parents[2]
SPEC = dict(
    use_case="churn-prediction",
    env="dev",
    region="ap-northeast-1",
    pipeline_name="churn-prediction-dev",
    experiment_name="churn-prediction-dev-pipeline",
    model_package_group_name="churn-prediction-dev",
    role_arn="arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${PipelineRoleName}",
    artifacts_uri="s3://${ArtifactsBucket}",
    code_uri="s3://${StepCodeBucket}/0123abcd.zip",
    step_package="churn_prediction",
)

OFFLINE_BUILD = textwrap.dedent(
    """
    import json, logging, os, socket, sys, time
    attempts = []
    def refuse(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise OSError("network use at synth")
    socket.socket.connect = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    root = logging.getLogger()
    before = (root.level, list(root.handlers))
    started = time.perf_counter()
    from stacks.pipeline.definition import PipelineSpec, build_definition
    imported = time.perf_counter()
    body = json.loads(build_definition(PipelineSpec(**json.loads(sys.argv[1]))))
    built = time.perf_counter()
    print(json.dumps({
        "attempts": attempts,
        "steps": [step["Name"] for step in body["Steps"]],
        "root_logger_unchanged": (root.level, list(root.handlers)) == before,
        "profile_restored": os.environ.get("AWS_PROFILE"),
        "import_seconds": round(imported - started, 2),
        "build_seconds": round(built - imported, 2),
    }))
    """
)


@pytest.mark.slow
def test_sdk_import_and_build_make_no_network_call_and_need_no_credentials(tmp_path):
    # A fresh interpreter, so the SDK's import-time sessions are exercised too; no credentials, a
    # profile that does not exist, no SDK config files (HOME is empty).
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONPATH": str(REPOSITORY), "AWS_PROFILE": "no-such-profile"}
    result = subprocess.run(
        [sys.executable, "-c", OFFLINE_BUILD, json.dumps(SPEC)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["attempts"] == []
    assert report["steps"] == ["preprocess", "train", "evaluation", "check-roc-auc"]
    assert report["root_logger_unchanged"] is True
    assert report["profile_restored"] == "no-such-profile"
    assert result.stderr == "", "the SDK printed to stderr at synth"
    print(f"SDK import {report['import_seconds']} s, build {report['build_seconds']} s")


def test_build_is_deterministic_and_leaves_the_environment_as_it_was(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "someone")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    spec = PipelineSpec(**SPEC)
    assert build_definition(spec) == build_definition(spec)
    assert os.environ["AWS_PROFILE"] == "someone"
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_trial_1_1_name_follows_a_custom_convention_with_the_id_in_the_middle():
    convention = convention_from_dict({"patterns": {"environment-trial": "{usecase}-{execution_id}-{env}"}})
    join = json.loads(json.dumps(environment_trial_name(convention, use_case="churn", env="prod").expr))
    assert run_time_name(join, "p4jn9xou8a8s") == "churn-p4jn9xou8a8s-prod"
    assert run_time_name(join, "p4jn9xou8a8s") == new(
        "environment-trial", use_case="churn", env="prod", execution_id="p4jn9xou8a8s", convention=convention
    )


def test_the_evaluate_step_gets_a_custom_convention_and_only_what_differs():
    assert convention_environment(DEFAULT_CONVENTION) == {}
    custom = convention_from_dict({"environments": ["sandbox", "live"], "words": {"analysis": "eval"}})
    (value,) = convention_environment(custom).values()
    assert json.loads(value) == {"environments": ["sandbox", "live"], "words": {"analysis": "eval"}}
    assert convention_from_dict(json.loads(value)) == custom


def test_a_convention_too_big_for_a_job_environment_fails_the_synth():
    custom = convention_from_dict({"environments": [f"environment{i}" for i in range(30)]})
    with pytest.raises(ValueError, match=r"at most 256"):
        convention_environment(custom)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"artifacts_uri": "s3://bucket/"}, "without a trailing"),
        ({"code_uri": "s3://bucket/code.py"}, "step bundle"),
        ({"role_arn": "MyRole"}, "must be a role ARN"),
        ({"step_package": "churn-prediction"}, "Python package name"),
    ],
)
def test_spec_refuses_values_the_sdk_would_mishandle(override, message):
    with pytest.raises(ValueError, match=message):
        PipelineSpec(**{**SPEC, **override})


def test_definition_references_must_match_the_stacks_variables():
    text = '{"a": "s3://${Bucket}/x", "b": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/r"}'
    check_references(text, {"Bucket": "b"})
    with pytest.raises(DefinitionReferenceError, match=r"refers to \$\{Other\}"):
        check_references(text + '{"c": "${Other}"}', {"Bucket": "b"})
    with pytest.raises(DefinitionReferenceError, match=r"provides \$\{Unused\}"):
        check_references(text, {"Bucket": "b", "Unused": "u"})
