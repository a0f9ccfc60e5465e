"""The views' Trino text (mlmeta.lake.views): valid Trino for any set of compacted ranges, the Presto-view
encoding Athena reads, and refused ranges."""

from __future__ import annotations

import pytest

from mlmeta_contract.lake.schema import METRIC_SNAPSHOTS, PARTITION_KEY, TABLES
from mlmeta.lake.views import (
    DERIVED_VIEWS,
    EXECUTION_METRICS,
    compacted_predicate,
    decode_presto_view,
    derived_view_input,
    glue_view_input,
    presto_type,
    view_sql,
)
from mlmeta.queries.grammar import check_trino

RANGES = {
    "none": (),
    "one": (("2026-01-05", "2026-03-31"),),
    "two": (("2026-01-05", "2026-01-09"), ("2026-01-11", "2026-03-31")),
}


@pytest.mark.slow  # runs Node
def test_every_view_is_valid_trino_with_any_ranges():
    texts = {f"{table.name}/{label}": view_sql(table, ranges) for table in TABLES for label, ranges in RANGES.items()}
    texts |= {view.name: view.sql for view in DERIVED_VIEWS}
    assert [str(error) for error in check_trino(texts)] == []


def test_the_view_reads_compacted_days_from_one_table_and_every_other_day_from_the_other():
    sql = view_sql(METRIC_SNAPSHOTS, RANGES["two"])
    compacted, raw = sql.split("\nUNION ALL\n")
    predicate = "(dt >= '2026-01-05' AND dt <= '2026-01-09') OR (dt >= '2026-01-11' AND dt <= '2026-03-31')"
    assert compacted.endswith(f"FROM metric_snapshots_compacted\nWHERE {predicate}")
    assert raw.endswith(f"FROM metric_snapshots_raw\nWHERE NOT ({predicate})")
    for side in (compacted, raw):
        assert side.index(PARTITION_KEY) > side.index("metric_time")  # every column, dt last
        assert all(f"    {column}," in side for column in METRIC_SNAPSHOTS.column_names)
    assert compacted_predicate(()) == "false"


@pytest.mark.parametrize("ranges", [(("2026-01-05", "2026-1-9"),), (("2026-01-09", "2026-01-05"),), (("x", "y"),)])
def test_bad_ranges_are_refused(ranges):
    with pytest.raises(ValueError):
        view_sql(METRIC_SNAPSHOTS, ranges)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_the_glue_view_carries_its_sql_and_columns_in_athenas_encoding(table):
    view = glue_view_input(table, "mlmeta_dev", RANGES["one"])

    assert view["Name"] == table.name and view["TableType"] == "VIRTUAL_VIEW"
    assert view["Parameters"] == {"presto_view": "true", "comment": "Presto View"}
    definition = decode_presto_view(view["ViewOriginalText"])
    assert definition["originalSql"] == view_sql(table, RANGES["one"])
    assert (definition["catalog"], definition["schema"]) == ("awsdatacatalog", "mlmeta_dev")
    assert [c["name"] for c in definition["columns"]] == [*table.column_names, PARTITION_KEY]
    assert [c["Name"] for c in view["StorageDescriptor"]["Columns"]] == [*table.column_names, PARTITION_KEY]
    assert {c["type"] for c in definition["columns"]} <= {"varchar", "integer", "bigint", "double", "map(varchar,varchar)"}


def test_execution_metrics_ranks_within_columns_a_query_filters_on():
    """Trino and DuckDB push a predicate through a window only when it names partition columns: the
    queries' pipeline_name, metric_name and dt filters must all be among them, or the view would read
    every partition of the lake."""
    sql = EXECUTION_METRICS.sql
    assert "PARTITION BY pipeline_name, dt, pipeline_execution_id, metric_name\n" in sql
    assert "ORDER BY from_iso8601_timestamp(metric_time) DESC NULLS LAST, trial_component_name ASC\n" in sql
    assert "FROM metric_snapshots\n    WHERE trial_kind = 'analysis'\n" in sql
    assert EXECUTION_METRICS.source is METRIC_SNAPSHOTS


@pytest.mark.parametrize("view", DERIVED_VIEWS, ids=lambda v: v.name)
def test_a_derived_view_carries_its_sql_and_its_sources_columns_in_athenas_encoding(view):
    glue_view = derived_view_input(view, "mlmeta_dev")

    assert glue_view["Name"] == view.name and glue_view["TableType"] == "VIRTUAL_VIEW"
    definition = decode_presto_view(glue_view["ViewOriginalText"])
    assert definition["originalSql"] == view.sql
    assert (definition["catalog"], definition["schema"]) == ("awsdatacatalog", "mlmeta_dev")
    assert [c["name"] for c in definition["columns"]] == [*view.source.column_names, PARTITION_KEY]
    assert [c["Name"] for c in glue_view["StorageDescriptor"]["Columns"]] == [*view.source.column_names, PARTITION_KEY]


def test_presto_types():
    assert presto_type("map<string,string>") == "map(varchar,varchar)"
    assert (presto_type("string"), presto_type("int"), presto_type("bigint")) == ("varchar", "integer", "bigint")
    with pytest.raises(ValueError, match="no Presto type"):
        presto_type("struct<a:int>")
    with pytest.raises(ValueError, match="not an Athena"):
        decode_presto_view("SELECT 1")
