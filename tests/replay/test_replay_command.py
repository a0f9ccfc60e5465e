"""``mlmeta replay``: one JSON line per event on stdout, the lake copied with --lake, exit codes, and
one-line errors."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from mlmeta.cli import main

EVENTS = Path(__file__).resolve().parents[1] / "events"


def run(capsys, *argv: str) -> tuple[int, list[dict], str]:
    code = main(["replay", *argv])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


@pytest.fixture
def events_dir(tmp_path) -> Path:
    for name in ("pipeline_execution_succeeded.json", "pipeline_execution_executing.json", "aws_training_job_state_change.json"):
        shutil.copy(EVENTS / name, tmp_path / name)
    (tmp_path / "mixed.jsonl").write_text('{"id": "no-rule", "source": "custom"}\nnot json\n')
    return tmp_path


def test_one_line_per_event_and_the_lake_copied(capsys, aws, endpoint, events_dir, tmp_path):
    lake = tmp_path / "lake"
    code, lines, err = run(
        capsys,
        str(events_dir / "pipeline_execution_succeeded.json"),
        str(events_dir / "aws_training_job_state_change.json"),
        str(events_dir / "mixed.jsonl"),
        "--endpoint", endpoint, "--lake", str(lake),
    )  # fmt: skip

    assert code == 1  # mixed.jsonl:2 is not an event (quarantined by replay): the input needs a look
    assert [(Path(line["event"]).name, line["outcome"]) for line in lines] == [
        ("pipeline_execution_succeeded.json", "handled"),
        ("aws_training_job_state_change.json", "unrouted"),
        ("mixed.jsonl:1", "unrouted"),
        ("mixed.jsonl:2", "quarantined"),
    ]
    assert lines[0]["id"] == "7a4b0c1d-0004-4e5f-8a9b-000000000004"
    assert lines[0]["handlers"] == ["snapshotter"]
    assert sorted(p.relative_to(lake).as_posix() for p in lake.rglob("*.json.gz")) == [
        "raw/component_snapshots/dt=2026-01-02/p4jn9xou8a8s.json.gz",
        "raw/metric_snapshots/dt=2026-01-02/p4jn9xou8a8s.json.gz",
    ]
    assert f"copied 2 lake object(s) to {lake}" in err


def test_a_failed_handler_makes_the_exit_code_1_after_all_events_ran(capsys, aws, endpoint, events_dir):
    code, lines, _ = run(
        capsys,
        str(events_dir / "pipeline_execution_executing.json"),
        str(events_dir / "pipeline_execution_succeeded.json"),
        "--endpoint", endpoint,
    )  # fmt: skip

    assert code == 1
    assert [line["outcome"] for line in lines] == ["failed", "handled"], [line.get("reason") for line in lines]
    assert lines[0]["reason"].startswith(f"tagger: trial churn-prediction-dev-p4jn9xou8a8s does not exist in the emulator at {endpoint}; ")


def test_by_default_replay_starts_its_own_moto_server(capsys, events_dir):
    code, lines, _ = run(capsys, str(events_dir / "pipeline_execution_succeeded.json"))
    assert (code, [line["outcome"] for line in lines]) == (0, ["handled"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.json"], "event file missing.json does not exist or is not a file"),
        (["{events}/pipeline_execution_succeeded.json", "--env", "qa"], "unknown environment 'qa'"),
        (["{events}/pipeline_execution_succeeded.json", "--endpoint", "127.0.0.1:5000"], "is not an http(s) URL"),
        (["{events}/pipeline_execution_succeeded.json", "--endpoint", "https://sagemaker.ap-northeast-1.amazonaws.com"], "is real AWS"),
        (["{events}/pipeline_execution_succeeded.json", "--endpoint", "http://127.0.0.1:9"], "cannot set up the lake bucket"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(capsys, events_dir, argv, message):
    code, lines, err = run(capsys, *[arg.format(events=events_dir) for arg in argv])
    assert (code, lines) == (2, [])
    assert err.count("\n") == 1
    assert err.startswith("mlmeta replay: error: ")
    assert message in err


@pytest.mark.parametrize("kind", ["a file", "read-only"])
def test_a_lake_directory_that_cannot_be_written_is_refused_before_any_event_runs(capsys, aws, endpoint, events_dir, tmp_path, kind):
    if kind == "a file":
        blocked = tmp_path / "a-file"
        blocked.write_text("not a directory")
        problem = f"--lake {blocked} is a file, not a directory"
    else:
        blocked = tmp_path / "read-only"
        blocked.mkdir(mode=0o500)
        if os.access(blocked, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        problem = f"cannot write the lake copy to {blocked}"

    code, lines, err = run(capsys, str(events_dir / "pipeline_execution_succeeded.json"), "--endpoint", endpoint, "--lake", str(blocked))

    assert (code, lines) == (2, [])
    assert err.startswith(f"mlmeta replay: error: {problem}") and err.count("\n") == 1, err
    assert [b["Name"] for b in aws["s3"].list_buckets()["Buckets"]] == []  # replay never even set up its bucket


def summary(err: str) -> str:
    [line] = [line for line in err.splitlines() if line.startswith("mlmeta replay: ") and " event" in line and " handled, " in line]
    return re.sub(r" in \d+\.\d+ s:", " in S s:", line)


def test_a_summary_line_counts_every_outcome(capsys, aws, endpoint, events_dir):
    code, lines, err = run(
        capsys,
        str(events_dir / "pipeline_execution_executing.json"),
        str(events_dir / "pipeline_execution_succeeded.json"),
        str(events_dir / "aws_training_job_state_change.json"),
        str(events_dir / "mixed.jsonl"),
        "--endpoint", endpoint,
    )  # fmt: skip

    assert code == 1
    assert [line["outcome"] for line in lines] == ["failed", "handled", "unrouted", "unrouted", "quarantined"]
    assert summary(err) == "mlmeta replay: 5 events in S s: 1 handled, 1 quarantined, 1 failed, 2 unrouted, 0 rejected"


def test_a_file_that_is_not_json_exits_1(capsys, endpoint, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("these are not events\n")

    code, lines, err = run(capsys, str(notes), "--endpoint", endpoint)

    assert code == 1
    assert [(line["outcome"], line["reason"]) for line in lines] == [("quarantined", "neither JSON nor JSON Lines: Expecting value at line 1 column 1")]
    assert summary(err) == "mlmeta replay: 1 event in S s: 0 handled, 1 quarantined, 0 failed, 0 unrouted, 0 rejected"


@pytest.mark.parametrize("content", ["", "\n\n", "[]", "[]\n"])
def test_a_file_with_no_event_says_so_and_exits_1(capsys, endpoint, tmp_path, content):
    empty = tmp_path / "empty.json"
    empty.write_text(content)

    code, lines, err = run(capsys, str(empty), "--endpoint", endpoint)

    assert (code, lines) == (1, [])
    assert f"mlmeta replay: {empty} holds no events" in err
    assert summary(err) == "mlmeta replay: 0 events in S s: 0 handled, 0 quarantined, 0 failed, 0 unrouted, 0 rejected"


def test_a_non_json_file_over_1_mib_is_one_line_not_a_traceback(capfd, endpoint, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("not json " * 130_000)  # 1.1 MiB: more than SQS takes, far more than EventBridge

    code = main(["replay", str(big), "--endpoint", endpoint])
    out, err = capfd.readouterr()

    assert code == 1
    [line] = [json.loads(text) for text in out.splitlines()]
    assert (line["outcome"], line["reason"]) == (
        "rejected",
        "the event is 1,170,000 bytes; EventBridge takes at most 262,144 (256 KB), so it never delivers such an event",
    )
    assert "Traceback" not in err
    assert summary(err) == "mlmeta replay: 1 event in S s: 0 handled, 0 quarantined, 0 failed, 0 unrouted, 1 rejected"


def test_a_cloudtrail_event_of_a_missing_entity_is_one_line_on_the_terminal(capfd):
    code = main(["replay", str(EVENTS / "cloudtrail_create_trial_component_SYNTHETIC.json")])
    out, err = capfd.readouterr()

    assert code == 0
    [line] = [json.loads(text) for text in out.splitlines()]
    expected = "entity trial component exp-churn-run-1 does not exist in the embedded AWS; seed it or replay its creation first"
    assert (line["outcome"], line["reason"]) == ("handled", expected)
    assert f"mlmeta replay: {EVENTS / 'cloudtrail_create_trial_component_SYNTHETIC.json'}: {expected}" in err.splitlines()
    assert "Traceback" not in err and "Internal Server Error" not in err
