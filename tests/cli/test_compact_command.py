"""``mlmeta compact --lake DIR [--day D]...``: compacts a local lake, prints a one-line JSON summary, and
``mlmeta query --lake DIR`` then reads the compacted days with the same result."""

from __future__ import annotations

import json
from contextlib import nullcontext

import pytest

from mlmeta.cli import main
from mlmeta.local.synthetic_lake import generate_history, write_lake

QUERY = ["query", "metric_history", "--param", "churn-prediction-dev", "--param", "auc", "--param", "2026-01-01", "--param", "2026-12-31"]


@pytest.fixture
def lake(tmp_path):
    write_lake(tmp_path, generate_history(seed=5, executions=12))
    return tmp_path


def test_compacting_every_day_changes_no_query_result(lake, capsys):
    assert main([*QUERY, "--lake", str(lake), "--format", "csv"]) == 0
    before = capsys.readouterr().out

    assert main(["compact", "--lake", str(lake)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["outcomes"]["written"] > 0 and summary["failures"] == [] and summary["state_written"]
    assert list((lake / "compacted" / "metric_snapshots").glob("dt=*/data.parquet"))

    assert main([*QUERY, "--lake", str(lake), "--format", "csv"]) == 0
    assert capsys.readouterr().out == before


def test_a_day_can_be_named_and_a_rerun_writes_nothing(lake, capsys):
    assert main(["compact", "--lake", str(lake), "--day", "2026-01-05", "--day", "2026-01-06"]) == 0
    assert json.loads(capsys.readouterr().out)["days"] == 2
    assert main(["compact", "--lake", str(lake), "--day", "2026-01-05"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary["outcomes"]) <= {"unchanged", "no-raw-objects"} and not summary["state_written"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lake", "{missing}"], "lake directory {missing} does not exist"),
        (["--lake", "{lake}", "--day", "2026-02-30"], "argument --day: not a day (YYYY-MM-DD): '2026-02-30'"),
    ],
)
def test_bad_input_is_one_line(lake, capsys, args, message):
    values = {"lake": str(lake), "missing": str(lake / "nowhere")}
    # argparse exits by itself on a bad --day; a missing lake is the command's own error (exit code 2).
    with pytest.raises(SystemExit) if "--day" in args else nullcontext():
        code = main(["compact", *(a.format(**values) for a in args)])
        assert code == 2
    error = capsys.readouterr().err
    assert message.format(**values) in error and error.count("\n") == 1


def test_a_corrupt_object_fails_with_exit_1_naming_the_day(lake, capsys):
    (lake / "raw" / "metric_snapshots" / "dt=2026-01-06" / "bad.json.gz").write_bytes(b"x")
    assert main(["compact", "--lake", str(lake)]) == 1
    assert "metric_snapshots 2026-01-06: BadGzipFile" in capsys.readouterr().err


def test_a_0_byte_object_stops_its_day_with_exit_1_naming_the_key_and_the_day_stays_raw(lake, capsys):
    day = lake / "raw" / "metric_snapshots" / "dt=2026-01-06"
    empty = day / "emptyobject0.json.gz"
    empty.write_bytes(b"")
    kept = {path.name: path.read_bytes() for path in day.iterdir()}

    assert main(["compact", "--lake", str(lake)]) == 1

    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert "metric_snapshots 2026-01-06" in line and "raw/metric_snapshots/dt=2026-01-06/emptyobject0.json.gz" in line
    assert json.loads(captured.out)["failures"] and not (lake / "compacted" / "metric_snapshots" / "dt=2026-01-06").exists()
    assert {path.name: path.read_bytes() for path in day.iterdir()} == kept  # the day is left raw, every object in it


def test_a_folder_that_is_not_a_day_is_skipped_with_one_warning_naming_it(lake, capsys):
    days = {path.name for path in (lake / "raw").glob("*/dt=*")}
    stray = lake / "raw" / "metric_snapshots" / "dt=garbage"
    stray.mkdir()
    (stray / "notes.json.gz").write_bytes(b"someone's file")

    assert main(["compact", "--lake", str(lake)]) == 0

    captured = capsys.readouterr()
    [warning] = captured.err.splitlines()
    assert warning.startswith("mlmeta compact: warning: skipped ") and str(stray) in warning
    summary = json.loads(captured.out)
    assert summary["failures"] == [] and summary["days"] == len(days)
    assert (stray / "notes.json.gz").read_bytes() == b"someone's file"
