"""The Trino grammar check (dt-sql-parser via tools/trino-grammar) catches what Athena would reject."""

from __future__ import annotations

import json
import subprocess

import pytest
import sqlglot

from mlmeta.queries.catalog import load_queries
from mlmeta.queries.grammar import TOOL_DIR, GrammarCheckUnavailable, GrammarError, check_trino

pytestmark = pytest.mark.slow  # runs Node

# Accepted by sqlglot's Trino reader, rejected by Trino (and so by Athena engine v3).
ATHENA_REJECTS = {
    "mysql_limit": "SELECT a FROM t LIMIT 5, 10",
    "postgres_cast": "SELECT x::double FROM t",
}
# DuckDB-only syntax: works in the local engine, would fail on Athena.
DUCKDB_ONLY = {
    "star_exclude": "SELECT * EXCLUDE (a) FROM t",
    "from_first": "FROM t SELECT a",
    "list_literal": "SELECT [1, 2, 3]",
    "struct_literal": "SELECT {'a': 1}",
    "integer_division_operator": "SELECT a // b FROM t",
    "qualify": "SELECT a FROM t QUALIFY row_number() OVER (ORDER BY a) = 1",
    "group_by_all": "SELECT a, count(*) FROM t GROUP BY ALL",
}
TRINO_OK = {
    "parameters": "SELECT a FROM t WHERE dt >= ? AND dt <= ? AND b = ?",
    "window_frame_from_a_column": "SELECT avg(x) OVER (ORDER BY t ROWS BETWEEN n PRECEDING AND 1 PRECEDING) FROM t",
    "unnest_map": "SELECT k, v FROM t CROSS JOIN UNNEST(m) AS u (k, v)",
}


@pytest.fixture(scope="module")
def errors() -> dict[str, list[GrammarError]]:
    """One Node process for every text of this module."""
    texts = {f"mlmeta/queries/sql/{name}.sql": q.sql for name, q in load_queries().items()} | ATHENA_REJECTS | DUCKDB_ONLY | TRINO_OK
    found: dict[str, list[GrammarError]] = {label: [] for label in texts}
    for error in check_trino(texts):
        found[error.label].append(error)
    return found


def test_every_named_query_is_valid_trino(errors):
    problems = [str(e) for label, errs in errors.items() if label.startswith("mlmeta/queries/sql/") for e in errs]
    assert problems == []
    assert len([label for label in errors if label.startswith("mlmeta/queries/sql/")]) >= 5


@pytest.mark.parametrize("label", sorted(TRINO_OK))
def test_trino_syntax_the_queries_rely_on_is_accepted(errors, label):
    assert errors[label] == []


@pytest.mark.parametrize("label", sorted(ATHENA_REJECTS))
def test_what_sqlglot_accepts_but_athena_rejects_is_caught(errors, label):
    sqlglot.parse_one(ATHENA_REJECTS[label], read="trino")  # the lenient parser takes it...
    assert errors[label], f"{ATHENA_REJECTS[label]!r} passed the Trino grammar"  # ...the grammar does not


def test_errors_point_at_the_offending_token(errors):
    (limit_error,) = errors["mysql_limit"]
    assert (limit_error.line, limit_error.column) == (1, 24)
    assert "','" in limit_error.message
    assert str(limit_error).startswith("mysql_limit:1:24: ")


@pytest.mark.parametrize("label", sorted(DUCKDB_ONLY))
def test_duckdb_only_syntax_is_rejected(errors, label):
    assert errors[label], f"{DUCKDB_ONLY[label]!r} passed the Trino grammar"


def test_a_plain_list_is_labelled_by_position_and_sent_in_one_call(monkeypatch):
    calls = []

    def fake_run(command, **kwargs):
        calls.append(json.loads(kwargs["input"]))
        return subprocess.CompletedProcess(command, 1, stdout='[{"label": "sql[1]", "line": 1, "column": 9, "message": "m"}]', stderr="")

    monkeypatch.setattr(subprocess, "run", fake_run)
    assert check_trino(["SELECT 1", "SELECT x::int"]) == [GrammarError("sql[1]", 1, 9, "m")]
    assert calls == [{"sql[0]": "SELECT 1", "sql[1]": "SELECT x::int"}]


def test_a_broken_checker_is_an_error_not_a_clean_bill(monkeypatch):
    monkeypatch.setattr(
        subprocess, "run", lambda command, **kw: subprocess.CompletedProcess(command, 2, stdout="", stderr="check.mjs: cannot load dt-sql-parser\n")
    )
    with pytest.raises(GrammarCheckUnavailable, match="could not run .exit 2.: check.mjs: cannot load dt-sql-parser"):
        check_trino({"q": "SELECT 1"})


def test_the_command_line_prints_one_line_per_error_and_fails(tmp_path):
    bad = tmp_path / "bad.sql"
    bad.write_text("SELECT a\nFROM t LIMIT 5, 10\n")
    good = tmp_path / "good.sql"
    good.write_text("SELECT a FROM t WHERE b = ?\n")
    run = subprocess.run(
        ["node", "--import", "./register.mjs", "check.mjs", str(good), str(bad)], cwd=TOOL_DIR, capture_output=True, text=True, check=False
    )
    assert run.returncode == 1
    assert run.stdout.splitlines() == [f"{bad}:2:15: ',' is not valid at this position, expecting a keyword"]
