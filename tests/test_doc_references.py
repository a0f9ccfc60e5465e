"""Every "docs/design.md §N" cited in the repository's code and docs names a section that exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT / "docs" / "design.md"
REFERENCE = re.compile(r"docs/design\.md §(\d+)")
SCANNED = ("mlmeta", "lambdas", "stacks", "pipelines", "bench", "tests", "docs")


def _citing_files() -> list[Path]:
    files = [p for d in SCANNED for p in sorted((ROOT / d).rglob("*")) if p.suffix in {".py", ".md", ".sql"}]
    return [*files, ROOT / "README.md", ROOT / "app.py"]


def test_every_design_section_cited_exists():
    sections = set(re.findall(r"^## (\d+)\. ", DESIGN.read_text(encoding="utf-8"), flags=re.MULTILINE))
    cited = {
        (path.relative_to(ROOT).as_posix(), number)
        for path in _citing_files()
        for number in REFERENCE.findall(path.read_text(encoding="utf-8"))
    }
    assert len(cited) >= 10  # the scan finds the references (about 20 today)
    assert sorted((f, n) for f, n in cited if n not in sections) == []


def test_no_reference_to_the_design_outside_the_repository():
    # "design §N" without the path pointed at a page that was not in the repository.
    bare = re.compile(r"(?<!docs/design\.md )(?<![\w/.])design §\d")
    found = [p.relative_to(ROOT).as_posix() for p in _citing_files() if bare.search(p.read_text(encoding="utf-8"))]
    assert found == []
