"""``mlmeta demo --out DIR``: the demo never deletes what it did not write. A directory that is not
empty and not an earlier demo's output (a lake synced into ./lake, ``--out .``) is refused with one line
and left byte for byte as it was; an earlier demo's output is replaced only with ``--force``, and only
the files that demo listed in its manifest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from demo_fixtures import tree

from mlmeta.cli import main
from mlmeta.local.demo.output import MANIFEST, DemoOutput, DemoOutputError
from mlmeta.local.demo.settings import MIN_EXECUTIONS


@pytest.fixture
def synced_lake(tmp_path) -> Path:
    """What docs/cli.md has people do: ``aws s3 sync`` a real lake into ./lake, next to their own files."""
    here = tmp_path / "work"
    real = here / "lake" / "raw" / "metric_snapshots" / "dt=2026-01-05" / "p4jn9xou8a8s.json.gz"
    real.parent.mkdir(parents=True)
    real.write_bytes(b"\x1f\x8b the team's only copy")
    (here / "notes.md").write_text("my analysis\n")
    return here


def one_error_line(capsys) -> str:
    [line] = capsys.readouterr().err.splitlines()
    return line


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_a_directory_that_is_not_a_demos_output_is_refused_and_kept_as_it_was(synced_lake, capsys, force):
    before = tree(synced_lake)

    assert main(["demo", "--out", str(synced_lake), "--executions", str(MIN_EXECUTIONS), *(["--force"] if force else [])]) == 2

    line = one_error_line(capsys)
    assert line.startswith(f"mlmeta demo: error: {synced_lake} is not empty and is not an earlier demo's output")
    assert "choose a new or empty --out" in line
    assert tree(synced_lake) == before


def test_out_dot_is_refused_in_a_working_directory(synced_lake, capsys, monkeypatch):
    monkeypatch.chdir(synced_lake)
    before = tree(synced_lake)

    assert main(["demo", "--out", ".", "--executions", str(MIN_EXECUTIONS)]) == 2

    assert "is not an earlier demo's output" in one_error_line(capsys)
    assert tree(synced_lake) == before


def test_an_earlier_demos_output_needs_force(small_demo, tmp_path, capsys):
    earlier = Path(shutil.copytree(small_demo.out, tmp_path / "earlier"))
    before = tree(earlier)

    assert main(["demo", "--out", str(earlier), "--executions", str(MIN_EXECUTIONS)]) == 2

    assert one_error_line(capsys) == (
        f"mlmeta demo: error: {earlier} holds an earlier demo's output: pass --force to replace it, or choose another --out"
    )
    assert tree(earlier) == before


def test_force_refuses_an_earlier_demos_output_with_a_file_it_did_not_write(small_demo, tmp_path, capsys):
    earlier = Path(shutil.copytree(small_demo.out, tmp_path / "earlier"))
    synced = earlier / "lake" / "raw" / "metric_snapshots" / "dt=2026-01-05" / "synced0000000.json.gz"
    synced.write_bytes(b"someone synced this here")
    before = tree(earlier)

    assert main(["demo", "--out", str(earlier), "--executions", str(MIN_EXECUTIONS), "--force"]) == 2

    line = one_error_line(capsys)
    assert f"{synced} was not written by the demo" in line and "nothing was deleted" in line
    assert tree(earlier) == before


def test_the_manifest_lists_every_file_the_demo_wrote(small_demo):
    manifest = json.loads((small_demo.out / MANIFEST).read_text())
    assert manifest["written_by"] == "mlmeta demo"
    assert set(manifest["files"]) == set(tree(small_demo.out)) - {MANIFEST}
    assert sum(name.startswith("lake/") for name in manifest["files"]) == small_demo.lake_objects


def test_force_deletes_exactly_the_listed_files_and_the_folders_they_leave_empty(tmp_path):
    root = tmp_path / "out"
    first = DemoOutput.prepare(root)
    first.claim([root / "events.jsonl", root / "lake" / "raw" / "a.json.gz"])
    (root / "events.jsonl").write_text("{}\n")
    (root / "lake" / "raw").mkdir(parents=True)
    (root / "lake" / "raw" / "a.json.gz").write_bytes(b"a")
    first.claim([root / "chart.png"])  # listed, never written (an interrupted demo)

    DemoOutput.prepare(root, force=True)

    assert list(root.iterdir()) == []


@pytest.mark.parametrize("manifest", ["not json", '{"written_by": "someone else", "files": []}',
                                      '{"written_by": "mlmeta demo", "files": ["../outside.txt"]}'])
def test_a_manifest_the_demo_did_not_write_does_not_count(tmp_path, manifest):
    root = tmp_path / "out"
    root.mkdir()
    (root / MANIFEST).write_text(manifest)
    (root / "data.csv").write_text("1,2\n")

    with pytest.raises(DemoOutputError, match="is not an earlier demo's output"):
        DemoOutput.prepare(root, force=True)
    assert (root / "data.csv").read_text() == "1,2\n"
