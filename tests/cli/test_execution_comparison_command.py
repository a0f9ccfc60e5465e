"""``mlmeta query execution_comparison`` with a mistyped execution id: one line naming the id, exit 2,
not the other execution's every metric and parameter as "differences"."""

from __future__ import annotations

import pytest

from cli_runner import run_cli

from mlmeta.local.synthetic_lake import generate_history, write_lake
from mlmeta.queries.catalog import QueryError
from mlmeta.queries.runner import run_named

WIDE = ("2026-01-01", "2026-12-31")


@pytest.fixture(scope="module")
def lake_and_ids(tmp_path_factory):
    history = generate_history(seed=5, executions=6)
    lake = tmp_path_factory.mktemp("lake")
    write_lake(lake, history)
    return lake, sorted({m["pipeline_execution_id"] for m in history.metric_snapshots})


def compare(capsys, lake, a, b):
    return run_cli(capsys, "query", "execution_comparison", "--param", a, "--param", b,
                   "--param", WIDE[0], "--param", WIDE[1], "--lake", str(lake))


def test_a_mistyped_execution_id_is_one_line_naming_it(lake_and_ids, capsys):
    lake, (first, _second, *_) = lake_and_ids
    mistyped = first[:-1] + ("x" if first[-1] != "x" else "y")

    code, out, err = compare(capsys, lake, first, mistyped)

    assert (code, out) == (2, "")
    assert err == (
        f"mlmeta query: error: query 'execution_comparison': unknown execution_b {mistyped!r}: "
        f"no snapshots of it from {WIDE[0]} to {WIDE[1]}; check the id and the dates\n"
    )


def test_two_known_executions_still_compare(lake_and_ids, capsys):
    lake, (first, second, *_) = lake_and_ids

    code, out, err = compare(capsys, lake, first, second)

    assert (code, err) == (0, "")
    assert "unknown" not in out and len(out.splitlines()) > 3


def test_the_runner_refuses_both_unknown_ids_at_once(lake_and_ids):
    lake, _ = lake_and_ids

    with pytest.raises(QueryError, match="unknown execution_a 'aaaaaaaaaaaa', execution_b 'bbbbbbbbbbbb'"):
        run_named("execution_comparison", ["aaaaaaaaaaaa", "bbbbbbbbbbbb", *WIDE], lake=lake)
