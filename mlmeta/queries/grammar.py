"""Checks SQL against Trino's grammar, so SQL that Athena engine v3 would reject fails without AWS.

sqlglot parses leniently (it accepts ``LIMIT 5, 10`` and ``x::double`` as Trino). The check runs
``tools/trino-grammar/check.mjs``: dt-sql-parser's TrinoSQL parser, generated from a grammar derived
from Trino's SqlBase.g4 (npm package pinned in package.json). One Node process checks all texts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

TOOL_DIR = Path(__file__).resolve().parents[2] / "tools" / "trino-grammar"


class GrammarCheckUnavailable(RuntimeError):
    """Node.js or the pinned dt-sql-parser is missing, so nothing could be checked."""


@dataclass(frozen=True)
class GrammarError:
    label: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.label}:{self.line}:{self.column}: {self.message}"


def check_trino(sql_texts: Mapping[str, str] | Sequence[str], timeout: float = 120.0) -> list[GrammarError]:
    """Grammar errors of each SQL text (label -> SQL; a plain sequence is labelled ``sql[i]``); empty if all parse."""
    texts = dict(sql_texts) if isinstance(sql_texts, Mapping) else {f"sql[{i}]": t for i, t in enumerate(sql_texts)}
    if not texts:
        return []
    node = shutil.which("node")
    if node is None:
        raise GrammarCheckUnavailable("node not found on PATH; the Trino grammar check needs Node.js 20+ and `npm ci`")
    completed = subprocess.run(
        [node, "--import", "./register.mjs", "check.mjs", "--json"],
        cwd=TOOL_DIR,
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    try:
        if completed.returncode not in (0, 1):
            raise ValueError("unexpected exit status")
        errors = json.loads(completed.stdout)
    except ValueError:
        detail = (completed.stderr.strip().splitlines() or ["no output"])[0]
        raise GrammarCheckUnavailable(f"the Trino grammar check could not run (exit {completed.returncode}): {detail}") from None
    return [GrammarError(e["label"], e["line"], e["column"], e["message"]) for e in errors]
