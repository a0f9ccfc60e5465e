"""``mlmeta demo``: same seed, same lake bytes; the report's sections; one-line errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlmeta.cli import main


def tree(directory: Path) -> dict[str, bytes]:
    return {str(path.relative_to(directory)): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()}


def test_the_same_seed_writes_the_same_lake_and_the_report_has_every_section(small_demo, tmp_path, capsys):
    # An earlier demo's output (with another lake) is replaced with --force.
    out = Path(shutil.copytree(small_demo.out, tmp_path / "again"))
    stale = sorted((out / "lake" / "raw" / "metric_snapshots").rglob("*.json.gz"))[0]
    stale.write_bytes(b"not gzip")

    assert main(["demo", "--out", str(out), "--executions", "30", "--force"]) == 0

    report = capsys.readouterr().out
    assert tree(out / "lake") == tree(small_demo.lake)  # the stale object is replaced too
    assert (out / "events.jsonl").read_bytes() == (small_demo.out / "events.jsonl").read_bytes()
    for section in ("== metric_history", "== metric_drift", "== latest_metrics", "== naming_violations", "== what happened"):
        assert section in report
    assert "metric_drift flags it DRIFT" in report
    assert "the lake was unchanged" in report


def test_an_unwritable_out_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")

    assert main(["demo", "--out", str(blocker / "demo"), "--executions", "30"]) == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mlmeta demo: error: cannot write the demo output") and str(blocker) in err[0]


def test_too_short_a_history_is_refused(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--out", str(tmp_path), "--executions", "12"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "at least 30" in err[0]
