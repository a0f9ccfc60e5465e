"""``mlmeta demo``: same seed, same lake bytes; the report's sections; one-line errors."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from demo_fixtures import SMALL, tree

from mlmeta.cli import main
from mlmeta.local.demo.settings import MIN_EXECUTIONS


def test_the_same_seed_writes_the_same_lake_and_the_report_has_every_section(small_demo, tmp_path, capsys):
    # An earlier demo's output (with another lake) is replaced with --force.
    out = Path(shutil.copytree(small_demo.out, tmp_path / "again"))
    stale = sorted((out / "lake" / "raw" / "metric_snapshots").rglob("*.json.gz"))[0]
    stale.write_bytes(b"not gzip")

    assert main(["demo", "--out", str(out), "--executions", str(SMALL.executions), "--force"]) == 0

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

    assert main(["demo", "--out", str(blocker / "demo"), "--executions", str(SMALL.executions)]) == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mlmeta demo: error: cannot write the demo output") and str(blocker) in err[0]


@pytest.mark.parametrize("executions", ["12", "1001", "100000"])
def test_too_short_or_too_long_a_history_is_refused_in_one_line(capsys, tmp_path, executions):
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--out", str(tmp_path), "--executions", executions])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"mlmeta demo: error: argument --executions: must be a whole number from {MIN_EXECUTIONS} to 1000, got '{executions}'"]
    assert list(tmp_path.iterdir()) == []


# Run as `python -c`: the first write to stderr records which heavy modules are loaded, then stops the demo.
_FIRST_LINE_PROBE = """
import sys
from mlmeta.cli import main

class FirstLine:
    def write(self, text):
        heavy = sorted(m for m in ("boto3", "moto", "duckdb", "pandas", "matplotlib") if m in sys.modules)
        sys.__stdout__.write(repr((text, heavy)))
        raise SystemExit(0)
    def flush(self):
        pass

sys.stderr = FirstLine()
main(["demo", "--out", sys.argv[1], "--executions", "38"])
"""


def test_the_first_line_comes_before_the_seconds_of_imports_and_of_the_embedded_aws(tmp_path):
    done = subprocess.run([sys.executable, "-c", _FIRST_LINE_PROBE, str(tmp_path / "out")], capture_output=True, text=True,
                          timeout=60, check=True)

    text, heavy = ast.literal_eval(done.stdout)
    assert text.startswith(f"mlmeta demo: 38 daily executions (seed 7) into {tmp_path / 'out'}")
    assert heavy == []
