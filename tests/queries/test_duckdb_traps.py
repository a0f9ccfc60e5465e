"""Trino -> DuckDB traps (docs/design.md §6): each snippet runs on the local engine and must give Trino's answer.

The expected values are what Trino/Athena engine v3 returns for the same SQL (its documented semantics);
the comment on each case says what DuckDB returns without the fix.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mlmeta_contract.lake.schema import METRIC_SNAPSHOTS
from mlmeta.local.synthetic_lake import generate_history, write_lake
from mlmeta.queries.catalog import NamedQuery, QueryError, QueryParameter
from mlmeta.queries.local_engine import run_local
from mlmeta.queries.trino_to_duckdb import to_duckdb


def snippet(sql: str, parameters: int = 0) -> NamedQuery:
    params = tuple(QueryParameter(f"p{i}", "varchar", "") for i in range(parameters))
    return NamedQuery(name="snippet", description="trap", parameters=params, sql=sql, path=Path("snippet.sql"))


def run(sql: str, lake: Path, values: list[object] | None = None) -> tuple:
    values = values or []
    (row,) = run_local(snippet(sql, len(values)), values, lake).rows
    return row


@pytest.fixture
def empty_lake(tmp_path: Path) -> Path:
    """A lake with no objects yet: the layout, nothing in it."""
    (tmp_path / METRIC_SNAPSHOTS.prefix).mkdir(parents=True)
    return tmp_path


@pytest.mark.parametrize(
    ("sql", "trino"),
    [
        ("SELECT 7 / 2", 3),  # DuckDB: 3.5
        ("SELECT -7 / 2", -3),  # truncated toward zero, not floored
        ("SELECT CAST(7 AS bigint) / CAST(2 AS bigint)", 3),
        ("SELECT count(*) / 2 FROM (VALUES 1, 2, 3) AS t (x)", 1),
        ("SELECT 7e0 / 2", 3.5),  # a double operand keeps floating-point division
        ("SELECT CAST(7 AS double) / 2", 3.5),
    ],
)
def test_integer_division_truncates_like_trino(empty_lake, sql, trino):
    (value,) = run(sql, empty_lake)
    assert value == trino and type(value) is type(trino)


def test_integer_division_of_bigint_columns(lake):
    (halves, exact) = run("SELECT sum(metric_count / 2), sum(metric_count / 2e0) FROM metric_snapshots", lake)
    assert isinstance(halves, int) and halves < exact


@pytest.mark.parametrize(
    ("sql", "trino"),
    [
        # DuckDB's date_diff counts boundaries crossed (1 day, 1 hour); Trino counts whole units elapsed.
        ("SELECT date_diff('day', TIMESTAMP '2024-01-01 23:00:00', TIMESTAMP '2024-01-02 01:00:00')", 0),
        ("SELECT date_diff('hour', TIMESTAMP '2024-01-01 10:59:00', TIMESTAMP '2024-01-01 11:01:00')", 0),
        ("SELECT date_diff('day', TIMESTAMP '2024-01-01 01:00:00', TIMESTAMP '2024-01-03 00:59:59')", 1),
        ("SELECT date_diff('day', DATE '2024-01-01', DATE '2024-03-01')", 60),
        ("SELECT date_diff('second', from_iso8601_timestamp('2026-01-05T08:00:00.000Z'), from_iso8601_timestamp('2026-01-05T08:01:30.500Z'))", 90),
    ],
)
def test_date_diff_counts_whole_units(empty_lake, sql, trino):
    assert run(sql, empty_lake) == (trino,)


@pytest.mark.parametrize(
    ("sql", "trino"),
    [
        ("SELECT format('%.3f', 3.14159)", "3.142"),  # DuckDB's format() is fmt-style: '%.3f' unchanged
        ("SELECT format('%s-%d', 'run', 7)", "run-7"),
    ],
)
def test_format_uses_printf_conversions(empty_lake, sql, trino):
    assert run(sql, empty_lake) == (trino,)


def test_session_time_zone_is_utc_whatever_the_machine_zone(empty_lake):
    """The engine pins UTC; a bare DuckDB connection follows TZ (shown first, so the test proves the trap)."""
    script = textwrap.dedent(
        f"""
        import duckdb
        from pathlib import Path
        from mlmeta.queries.catalog import NamedQuery
        from mlmeta.queries.local_engine import run_local
        sql = "SELECT CAST(from_iso8601_timestamp('2024-01-01T23:30:00Z') AS date)"
        print(duckdb.connect().execute({to_duckdb("SELECT CAST(from_iso8601_timestamp('2024-01-01T23:30:00Z') AS date)")!r}).fetchone()[0])
        print(run_local(NamedQuery('snippet', 'tz', (), sql, Path('s.sql')), [], Path({str(empty_lake)!r})).rows[0][0])
        """
    )
    env = os.environ | {"TZ": "Asia/Tokyo"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["2024-01-02", "2024-01-01"]  # bare DuckDB in Tokyo, then the engine (Trino: 2024-01-01)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ('SELECT "$path" FROM metric_snapshots', '"$path" is a hidden column of Athena\'s Hive tables'),
        ("SELECT format_datetime(from_iso8601_timestamp(execution_end), 'yyyy-MM-dd') FROM metric_snapshots", "format_datetime() does not run"),
        ("SELECT to_iso8601(from_iso8601_timestamp(execution_end)) FROM metric_snapshots", "to_iso8601() does not run"),
        ("SELECT at_timezone(from_iso8601_timestamp(execution_end), 'Asia/Tokyo') FROM metric_snapshots", "at_timezone() does not run"),
        ("SELECT map_agg(metric_name, metric_value) FROM metric_snapshots", "map_agg() does not run"),
        ("SELECT 1; SELECT 2", "exactly one SQL statement, found 2"),
        ("SELECT FROM WHERE (", "cannot parse the query as Trino SQL"),
    ],
)
def test_what_cannot_run_faithfully_is_refused_in_one_line(empty_lake, sql, message):
    with pytest.raises(QueryError) as caught:
        run_local(snippet(sql), [], empty_lake)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unnest_of_a_map_column_yields_key_value_rows(tmp_path):
    records = generate_history(seed=3, executions=1, naming_checks=0)
    write_lake(tmp_path, records)
    rows = run_local(
        snippet(
            "SELECT c.step_name, p.name, p.value FROM component_snapshots AS c "
            "CROSS JOIN UNNEST(c.parameters) AS p (name, value) WHERE c.step_name = 'train' ORDER BY p.name"
        ),
        [],
        tmp_path,
    ).rows
    (train,) = [c for c in records.component_snapshots if c["step_name"] == "train"]
    assert rows == tuple(("train", k, v) for k, v in sorted(train["parameters"].items()))


def test_parameters_bind_by_position_even_when_the_translation_reorders_them(empty_lake):
    # date_add('day', n, d) becomes d + INTERVAL n DAY in DuckDB: the '?' swap places.
    sql = "SELECT ? AS label, date_add('day', CAST(? AS bigint), CAST(? AS date)) AS later"
    (row,) = run_local(snippet(sql, parameters=3), ["x", 2, "2026-01-30"], empty_lake).rows
    # (DuckDB returns a timestamp where Trino returns a date: compare the day only.)
    assert (row[0], str(row[1])[:10]) == ("x", "2026-02-01")


def test_rewrites_nest_inside_each_other(empty_lake):
    sql = "SELECT format('%d days', date_diff('day', TIMESTAMP '2024-01-01 23:00:00', CAST(? AS timestamp)))"
    assert run(sql, empty_lake, ["2024-01-03 22:59:59"]) == ("1 days",)  # DuckDB's date_diff alone: 2


def test_unnest_of_several_arrays_zips_them_padding_with_nulls(empty_lake):
    rows = run_local(snippet("SELECT x, y FROM UNNEST(ARRAY[1, 2, 3], ARRAY['a', 'b']) AS t (x, y) ORDER BY x"), [], empty_lake).rows
    assert rows == ((1, "a"), (2, "b"), (3, None))
