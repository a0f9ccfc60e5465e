"""``mlmeta replay``: one JSON line per event on stdout, the lake copied with --lake, exit codes, and
one-line errors."""

from __future__ import annotations

import json
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

    assert code == 0
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
    assert lines[0]["reason"].startswith("tagger: GaveUp: trial churn-prediction-dev-p4jn9xou8a8s")


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


def test_a_lake_directory_that_cannot_be_written_is_one_line_after_the_results(capsys, aws, endpoint, events_dir, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")

    code, lines, err = run(capsys, str(events_dir / "pipeline_execution_succeeded.json"), "--endpoint", endpoint, "--lake", str(blocked))

    assert (code, [line["outcome"] for line in lines]) == (2, ["handled"])
    assert err.splitlines()[-1].startswith(f"mlmeta replay: error: cannot write the lake copy {blocked}")
