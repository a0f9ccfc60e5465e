"""``mlmeta doctor`` in process (tests/cli_runner.py) on moto, the public-layer calls through the Stubber
(doctor_shapes.py): one line per check, JSON, exit codes, one-line errors."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from cli_runner import run_cli
from doctor_world import bootstrap, clients, stub_layer_versions, stub_public_parameters, stubbed

from mlmeta.cli import doctor_cmd
from mlmeta.config import ENVIRONMENTS


@pytest.fixture
def healthy_account(monkeypatch):
    """A bootstrapped moto account whose public layers resolve, served to the command."""
    bootstrap()
    ssm, ssm_stub = stubbed("ssm")
    lambda_, lambda_stub = stubbed("lambda")
    stub_public_parameters(ssm_stub)
    stub_layer_versions(lambda_stub)
    monkeypatch.setattr(doctor_cmd, "make_clients", lambda region, profile: clients(ssm=ssm, **{"lambda": lambda_}))
    with ssm_stub, lambda_stub:
        yield


@pytest.fixture
def moto_only(monkeypatch):
    monkeypatch.setattr(doctor_cmd, "make_clients", lambda region, profile: clients())


def test_a_healthy_account_before_its_first_deploy_prints_one_line_per_check_and_exits_0(healthy_account, capsys):
    code, out, err = run_cli(capsys, "doctor", "--env", "dev")
    lines = out.splitlines()
    assert (code, err) == (0, "")
    assert lines[0].startswith("✓ credentials: arn:aws:sts::123456789012:")
    assert lines[1].startswith("✓ cdk bootstrap: CDKToolkit CREATE_COMPLETE, bootstrap version 6")
    assert [line[:2] for line in lines[:6]] == ["✓ "] * 6
    assert lines[6] == (
        "- stack mlmeta-dev-lake: not deployed yet (none of the 6 stacks of dev is in ap-northeast-1); skipped: --phase post fails on this"
    )
    assert len(lines) == 6 + 13 + 1
    assert lines[-1] == "mlmeta doctor --env dev (ap-northeast-1, phase all): 6 passed, 0 failed, 0 warnings, 13 skipped"


def test_json_is_a_list_of_check_ok_detail_fix(healthy_account, capsys):
    code, out, _ = run_cli(capsys, "doctor", "--env", "dev", "--phase", "pre", "--format", "json")
    results = json.loads(out)
    assert code == 0
    assert [set(r) for r in results] == [{"check", "ok", "detail", "fix"}] * 6
    assert [(r["check"], r["ok"], r["fix"]) for r in results][:2] == [("credentials", True, None), ("cdk bootstrap", True, None)]


def test_a_failed_check_exits_1_and_prints_what_to_do(moto_only, capsys):
    code, out, err = run_cli(capsys, "doctor", "--env", "dev", "--phase", "post")
    assert (code, err) == (1, "")
    assert "✗ stack mlmeta-dev-lake: not deployed yet: none of the 6 stacks of dev is in ap-northeast-1; fix: make deploy ENV=dev" in out.splitlines()
    assert out.splitlines()[-1].endswith("1 passed, 13 failed, 0 warnings, 0 skipped")


def test_a_failed_check_in_json_has_ok_false_and_its_fix(moto_only, capsys):
    code, out, _ = run_cli(capsys, "doctor", "--env", "dev", "--phase", "post", "--format", "json")
    results = json.loads(out)
    assert code == 1
    assert results[1] == {
        "check": "stack mlmeta-dev-lake", "ok": False,
        "detail": "not deployed yet: none of the 6 stacks of dev is in ap-northeast-1", "fix": "make deploy ENV=dev",
    }  # fmt: skip


def test_an_unknown_environment_is_one_line_and_exit_2(moto_only, capsys):
    code, out, err = run_cli(capsys, "doctor", "--env", "qa")
    assert (code, out, err) == (2, "", "mlmeta doctor: error: unknown environment 'qa'; known environments: dev, stg, prod\n")


def test_an_environment_without_a_trail_is_one_line_and_exit_2(moto_only, capsys, monkeypatch):
    monkeypatch.setitem(ENVIRONMENTS, "notrail", replace(ENVIRONMENTS["dev"], name="notrail", create_trail=False))
    code, out, err = run_cli(capsys, "doctor", "--env", "notrail")
    assert (code, out) == (2, "")
    assert err.startswith("mlmeta doctor: error: environment notrail: the naming guard needs a CloudTrail trail") and err.count("\n") == 1


def test_an_unknown_profile_is_one_line_and_exit_2(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    code, out, err = run_cli(capsys, "doctor", "--env", "dev", "--profile", "nosuch")
    assert (code, out, err) == (2, "", "mlmeta doctor: error: The config profile (nosuch) could not be found\n")


@pytest.mark.parametrize("value", ["0", "-1", "soon", "901"])
def test_a_bad_probe_timeout_is_one_line_and_exit_2(capsys, value):
    code, _, err = run_cli(capsys, "doctor", "--env", "dev", "--probe-timeout", value)
    assert code == 2
    assert err == f"mlmeta doctor: error: argument --probe-timeout: must be a number of seconds above 0 and at most 900, got {value!r}\n"


def test_env_is_required(capsys):
    code, _, err = run_cli(capsys, "doctor")
    assert (code, err) == (2, "mlmeta doctor: error: the following arguments are required: --env\n")
