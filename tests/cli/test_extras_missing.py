"""The local harness's commands (replay, demo, rehearse) say in one line what to install when the base
install (no [dev], no [deploy] extra) lacks what they need, before anything runs."""

from __future__ import annotations

import pytest

import mlmeta.cli.extras as extras
from cli_runner import run_cli

INSTALL = "in a checkout of the mlmeta repository, run make install (or pip install -e '.[deploy,dev]')"


@pytest.fixture
def uninstalled(monkeypatch):
    """``uninstalled("moto", ...)``: those top-level packages look not installed to the CLI's checks."""

    def hide(*names: str) -> None:
        real = extras.find_spec
        monkeypatch.setattr(extras, "find_spec", lambda name: None if name in names else real(name))

    return hide


def one_line(code, out, err):
    lines = err.strip().splitlines()
    assert (code, out, len(lines)) == (2, "", 1), (code, out, err)
    return lines[0]


def test_demo_without_moto_says_what_to_install_and_writes_nothing(uninstalled, capsys, tmp_path):
    uninstalled("moto")
    line = one_line(*run_cli(capsys, "demo", "--out", str(tmp_path / "demo")))
    assert line == f"mlmeta demo: error: this command needs the local harness (the [dev] extra), which is not installed (missing: moto): {INSTALL}"
    assert list(tmp_path.iterdir()) == []


def test_replay_names_every_missing_handler_package(uninstalled, capsys, tmp_path):
    uninstalled("aws_lambda_powertools", "pydantic")
    line = one_line(*run_cli(capsys, "replay", str(tmp_path / "events.json")))
    assert "(missing: aws_lambda_powertools, pydantic)" in line and line.endswith(INSTALL)


def test_replay_against_an_emulator_does_not_need_moto(uninstalled, capsys, tmp_path):
    uninstalled("moto")
    line = one_line(*run_cli(capsys, "replay", str(tmp_path / "missing.json"), "--endpoint", "http://127.0.0.1:9"))
    assert "not installed" not in line and "missing.json" in line


def test_rehearse_without_an_assembly_needs_the_cdk(uninstalled, capsys):
    uninstalled("aws_cdk")
    line = one_line(*run_cli(capsys, "rehearse", "--env", "dev"))
    assert line == (f"mlmeta rehearse: error: this command needs the CDK to synthesize (the [deploy] extra; or give --assembly), "
                    f"which is not installed (missing: aws_cdk): {INSTALL}")


def test_rehearse_of_a_given_assembly_does_not_need_the_cdk(uninstalled, capsys, tmp_path):
    uninstalled("aws_cdk", "cdk_nag")
    line = one_line(*run_cli(capsys, "rehearse", "--env", "dev", "--assembly", str(tmp_path / "no-such-assembly")))
    assert "not installed" not in line
