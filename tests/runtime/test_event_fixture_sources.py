"""Every event fixture traces to AWS's documentation: tests/events/README.md gives each one the AWS
page it follows, or says it is synthetic, why, and which fields are assumed."""

from __future__ import annotations

import re

from runtime_world import EVENTS_DIR

ROW = re.compile(r"^\| `(?P<fixture>[^`]+\.json)` \| (?P<source>.+) \|$")
PAGE = re.compile(r"\[(?P<tag>[A-Z-]+)\]")


def _readme() -> str:
    return (EVENTS_DIR / "README.md").read_text(encoding="utf-8")


def _rows() -> dict[str, str]:
    return {m["fixture"]: m["source"] for m in map(ROW.match, _readme().splitlines()) if m}


def test_every_fixture_has_a_row_and_every_row_a_fixture():
    assert set(_rows()) == {path.name for path in EVENTS_DIR.glob("*.json")}


def test_each_row_cites_an_aws_page_and_a_synthetic_one_names_its_assumptions():
    pages = {m["tag"]: m["url"] for m in re.finditer(r"\*\*\[(?P<tag>[A-Z-]+)\]\*\*[^\n]*(?:\n  [^\n]*)*?(?P<url>https://docs\.aws\.amazon\.com/\S+)", _readme())}
    for fixture, source in _rows().items():
        cited = set(PAGE.findall(source))
        assert cited and cited <= set(pages), (fixture, cited - set(pages))
        if source.startswith("synthetic:"):
            assert "assumed" in source, fixture
