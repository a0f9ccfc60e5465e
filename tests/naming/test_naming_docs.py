"""docs/naming.md stays true: its convention table's patterns and examples are what the code does."""

from __future__ import annotations

import re
from pathlib import Path

from mlmeta_contract.naming import DEFAULT_CONVENTION, KINDS, example, validate

DOC = Path(__file__).resolve().parents[2] / "docs" / "naming.md"
_ROW = re.compile(r"^\| `(?P<kind>[a-z-]+)` \| [^|]+ \| (?P<patterns>[^|]+) \| `(?P<example>[a-z0-9-]+)` \|$", re.M)


def test_the_docs_table_lists_every_kind_with_its_pattern_and_a_compliant_example():
    rows = {m["kind"]: m for m in _ROW.finditer(DOC.read_text(encoding="utf-8"))}

    assert list(rows) == list(KINDS)
    for kind, row in rows.items():
        assert f"`{DEFAULT_CONVENTION.pattern(kind)}`" in row["patterns"], kind
        assert validate(kind, row["example"]).compliant, row["example"]
        assert row["example"] == example(kind)
