"""``mlmeta rehearse``: the report on stdout, events replayed against the deployment, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from cli_runner import run_cli

EVENTS = Path(__file__).resolve().parents[1] / "events"


def test_rehearse_deploys_reports_and_replays_the_events_given(dev_assembly, capsys):
    code, out, err = run_cli(capsys, "rehearse", "--assembly", str(dev_assembly), str(EVENTS / "scheduled_event.json"),
                             str(EVENTS / "aws_training_job_state_change.json"))

    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("== deploy rehearsal of dev into an embedded AWS (moto ")
    assert lines[1].split() == ["stack", "status", "deployed", "skipped"]
    assert any(line.startswith("mlmeta-dev-events ") and " CREATE_COMPLETE " in line for line in lines)
    assert "12 of 12 checks hold" in out
    assert f"{EVENTS / 'scheduled_event.json'}: handled via mlmeta-dev-events-RulesReconcileSchedule" in out
    assert f"{EVENTS / 'aws_training_job_state_change.json'}: unrouted: no rule of this environment matches the event" in out


def test_rehearse_as_json(dev_assembly, capsys):
    code, out, err = run_cli(capsys, "rehearse", "--assembly", str(dev_assembly), "--format", "json")

    assert code == 0, err
    report = json.loads(out)
    stacks = {stack["name"]: stack for stack in report["stacks"]}
    lake = stacks["mlmeta-dev-lake"]
    assert lake["deployed"] + len(lake["skipped"]) == lake["resources"]
    assert lake["skipped_types"]["AWS::Glue::Table"] == sum(1 for s in lake["skipped"] if s["resource_type"] == "AWS::Glue::Table")
    assert all(check["ok"] for check in report["wiring"]) and report["events"] == []


def test_a_missing_assembly_is_one_line_on_stderr(tmp_path, capsys):
    code, out, err = run_cli(capsys, "rehearse", "--assembly", str(tmp_path / "nowhere"))

    assert (code, out) == (2, "")
    assert err == f"mlmeta rehearse: error: no cloud assembly in {tmp_path / 'nowhere'} (manifest.json missing): run make synth, or omit --assembly\n"


def test_an_assembly_of_another_environment_is_refused(dev_assembly, capsys):
    code, _, err = run_cli(capsys, "rehearse", "--assembly", str(dev_assembly), "--env", "prod")

    assert code == 2
    assert err.startswith(f"mlmeta rehearse: error: the assembly in {dev_assembly} is not of environment prod (")
    assert err.endswith("synthesize it with -c env=prod\n") and err.count("\n") == 1


def test_a_missing_event_file_is_refused_before_anything_runs(tmp_path, capsys):
    code, _, err = run_cli(capsys, "rehearse", "--assembly", str(tmp_path), str(tmp_path / "missing.json"))

    assert code == 2 and err.count("\n") == 1 and "missing.json" in err
