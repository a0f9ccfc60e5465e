"""The local DuckDB engine: lake layout, pinned column types, empty tables, dt pruning, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from mlmeta_contract.lake.schema import METRIC_SNAPSHOTS, TABLES
from mlmeta.local.synthetic_lake import LakeRecords, write_lake
from mlmeta.queries.catalog import NamedQuery, QueryError
from mlmeta.queries.local_engine import duckdb_type, register_lake, run_local
from named_query_parameters import WIDE, parameters_for

UNKNOWN_EXECUTIONS = (("unknown_execution", None, "execution_a", None, None), ("unknown_execution", None, "execution_b", None, None))


def test_a_missing_lake_is_one_line(queries, tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(QueryError) as caught:
        run_local(queries["latest_metrics"], ["2026-01-01"], missing)
    message = str(caught.value)
    assert message.startswith(f"lake directory {missing} does not exist; ")
    assert "raw/metric_snapshots/dt=YYYY-MM-DD/" in message and "\n" not in message


def test_every_named_query_runs_on_an_empty_lake_with_the_same_columns(queries, history, run_query, tmp_path):
    (tmp_path / METRIC_SNAPSHOTS.prefix).mkdir(parents=True)  # the lake's layout, no objects yet
    for name, query in queries.items():
        params = parameters_for(name, history)
        full = run_query(name, *params)
        empty = run_query(name, *params, lake=tmp_path)
        assert full.rows, f"{name} should find rows in the fixture lake"
        # execution_comparison says that neither execution is there rather than comparing nothing.
        nothing = UNKNOWN_EXECUTIONS if name == "execution_comparison" else ()
        assert (empty.columns, empty.rows) == (full.columns, nothing), name


def test_a_table_without_objects_still_joins_and_unions(history, run_query, tmp_path):
    """Metrics only: execution_comparison still compares metrics (the component table is empty, typed)."""
    write_lake(tmp_path, LakeRecords(history.metric_snapshots, (), ()))
    params = parameters_for("execution_comparison", history)
    only_metrics = run_query("execution_comparison", *params, lake=tmp_path).as_dicts()
    everything = run_query("execution_comparison", *params).as_dicts()
    assert only_metrics == [row for row in everything if row["kind"] == "metric"]
    assert len(only_metrics) < len(everything)
    assert run_query("naming_violations", WIDE[0], lake=tmp_path).rows == ()


def describe(lake: Path) -> dict[str, list[tuple[str, str]]]:
    connection = duckdb.connect()
    register_lake(connection, lake)
    return {t.name: [(row[0], row[1]) for row in connection.execute(f"DESCRIBE {t.name}").fetchall()] for t in TABLES}


def test_column_types_are_pinned_from_the_schema_not_guessed(lake, tmp_path):
    tables = describe(lake)
    assert tables == describe(tmp_path)  # an empty lake has exactly the same tables
    metric = dict(tables["metric_snapshots"])
    # read_json_auto would guess TIMESTAMP for the ISO strings, DATE for dt, and BIGINT for schema_version.
    assert metric["execution_end"] == "VARCHAR" and metric["dt"] == "VARCHAR"
    assert (metric["schema_version"], metric["metric_count"], metric["metric_value"]) == ("INTEGER", "BIGINT", "DOUBLE")
    assert dict(tables["component_snapshots"])["parameters"] == "MAP(VARCHAR, VARCHAR)"
    for table in TABLES:  # schema order, then the partition column last (as in Athena)
        assert [name for name, _ in tables[table.name]] == [*table.column_names, "dt"]


@pytest.mark.parametrize(
    ("hive", "duck"),
    [
        ("string", "VARCHAR"),
        ("int", "INTEGER"),
        ("bigint", "BIGINT"),
        ("double", "DOUBLE"),
        ("map<string,string>", "MAP(VARCHAR, VARCHAR)"),
        ("array<bigint>", "BIGINT[]"),
        ("map<string,array<string>>", "MAP(VARCHAR, VARCHAR[])"),
    ],
)
def test_hive_types_map_to_duckdb_types(hive, duck):
    assert duckdb_type(hive) == duck


@pytest.mark.parametrize("hive", ["struct<a:int>", "map<string>", "decimal(10,2)"])
def test_unknown_hive_types_are_refused(hive):
    with pytest.raises(ValueError, match="Hive type"):
        duckdb_type(hive)


@pytest.fixture
def lake_with_a_corrupt_old_partition(lake: Path, tmp_path: Path) -> Path:
    """A copy of the fixture lake plus, in each table, an unreadable object in dt=2025-12-01."""
    copy = tmp_path / "lake"
    shutil.copytree(lake, copy)
    for table in TABLES:
        corrupt = copy / table.prefix / "dt=2025-12-01" / "corrupt.json.gz"
        corrupt.parent.mkdir(parents=True)
        corrupt.write_bytes(b"not gzip")
    return copy


@pytest.mark.parametrize("name", ["metric_history", "metric_drift", "latest_metrics", "naming_violations", "execution_comparison", "runs"])
def test_dt_string_comparisons_prune_partitions(run_query, history, lake_with_a_corrupt_old_partition, name):
    params = parameters_for(name, history)
    # From 2026: the corrupt partition is never opened, and the answer is the clean lake's.
    assert run_query(name, *params, lake=lake_with_a_corrupt_old_partition) == run_query(name, *params)
    # From 2025-11: the same query has to open it (which proves the first run pruned it).
    widened = ["2025-11-01" if p == WIDE[0] else p for p in params]
    with pytest.raises(QueryError, match="corrupt.json.gz"):
        run_query(name, *widened, lake=lake_with_a_corrupt_old_partition)


def test_a_runtime_error_is_one_line_naming_the_query(lake):
    query = NamedQuery("broken", "d", (), "SELECT CAST(metric_name AS bigint) FROM metric_snapshots", Path("broken.sql"))
    with pytest.raises(QueryError) as caught:
        run_local(query, [], lake)
    assert str(caught.value).startswith("query 'broken' failed on the local DuckDB engine: Conversion Error")
    assert "\n" not in str(caught.value)


def test_values_must_match_the_parameters(queries, lake):
    with pytest.raises(QueryError, match=r"query 'latest_metrics' takes 1 parameter\(s\), got 2"):
        run_local(queries["latest_metrics"], ["2026-01-01", "2026-01-02"], lake)


def test_a_lake_with_only_compacted_days_is_a_lake(tmp_path):
    (tmp_path / METRIC_SNAPSHOTS.compacted_prefix).mkdir(parents=True)
    query = NamedQuery("count", "d", (), "SELECT count(*) AS n FROM metric_snapshots", Path("count.sql"))

    assert run_local(query, [], tmp_path).rows == ((0,),)


def _views(lake: Path, sql: str | None) -> set[str]:
    connection = duckdb.connect(":memory:")
    register_lake(connection, lake, needed_by=sql)
    return {name for (name,) in connection.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}


def test_a_query_gets_only_the_views_it_names_and_the_tables_under_them(queries, lake):
    everything = _views(lake, None)
    assert {"execution_metrics", "naming_audit", "naming_audit_raw", "component_snapshots_compacted"} <= everything
    naming = _views(lake, queries["naming_violations"].sql)
    assert naming == {"naming_audit", "naming_audit_raw", "naming_audit_compacted"}
    # metric_history reads the derived view execution_metrics, which reads metric_snapshots.
    history = _views(lake, queries["metric_history"].sql)
    assert history == {"execution_metrics", "metric_snapshots", "metric_snapshots_raw", "metric_snapshots_compacted"}
    assert _views(lake, "SELECT * FROM component_snapshots_raw") == {
        "component_snapshots", "component_snapshots_raw", "component_snapshots_compacted"}
