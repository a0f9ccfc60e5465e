"""The analysts' tables read the same rows whatever the layout: every named query returns the same
result on the raw lake, the compacted lake and a lake compacted in part; dt filters still prune files
through the views, on both sides."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from named_query_parameters import parameters_for

from mlmeta.lake.compaction import compact, raw_days
from mlmeta.lake.compaction_state import CompactionState, TableState, read_state
from mlmeta.lake.object_store import LocalDirectoryStore
from mlmeta_contract.lake.records import decode_records
from mlmeta_contract.lake.schema import TABLES
from mlmeta.lake.views import DERIVED_VIEWS
from mlmeta.queries.catalog import QueryError, load_queries
from mlmeta.queries.local_engine import register_lake
from mlmeta_contract.lake.layout import COMPACTION_STATE_KEY, compacted_key

NAMES = sorted(load_queries())


@pytest.fixture(scope="module")
def layouts(raw_lake, tmp_path_factory):
    """The raw lake, a copy compacted entirely, and one compacted every other day."""
    compacted = shutil.copytree(raw_lake, tmp_path_factory.mktemp("compacted") / "lake")
    compact(LocalDirectoryStore(compacted), raw_days(LocalDirectoryStore(compacted)))
    mixed = shutil.copytree(raw_lake, tmp_path_factory.mktemp("mixed") / "lake")
    compact(LocalDirectoryStore(mixed), raw_days(LocalDirectoryStore(mixed))[::2])
    return {"raw": raw_lake, "compacted": compacted, "mixed": mixed}


def test_the_layouts_differ_as_intended(layouts):
    assert not (layouts["raw"] / "compacted").exists()
    state, _ = read_state(LocalDirectoryStore(layouts["mixed"]))
    assert len(state.ranges("metric_snapshots")) == 6  # every other day
    assert len(list((layouts["compacted"] / "compacted").rglob("data.parquet"))) > len(list((layouts["mixed"] / "compacted").rglob("data.parquet")))


@pytest.mark.parametrize("name", NAMES)
def test_every_named_query_returns_the_same_rows_on_every_layout(layouts, run_named, name):
    raw = run_named(name, layouts["raw"])
    assert raw.rows, f"{name} should find rows in the fixture lake"
    assert run_named(name, layouts["compacted"]) == raw
    assert run_named(name, layouts["mixed"]) == raw


@pytest.mark.parametrize("view", DERIVED_VIEWS, ids=lambda v: v.name)
def test_every_derived_view_reads_the_same_rows_on_every_layout(layouts, view):
    def rows(lake):
        connection = duckdb.connect()
        register_lake(connection, lake)
        return connection.execute(f"SELECT * FROM {view.name} ORDER BY pipeline_execution_id, metric_name").fetchall()

    raw = rows(layouts["raw"])
    assert raw, f"{view.name} should find rows in the fixture lake"
    assert rows(layouts["compacted"]) == raw
    assert rows(layouts["mixed"]) == raw


@pytest.fixture
def lake_with_corrupt_edges(lake):
    """A compacted lake with an unreadable raw object on 2025-12-01 (a day not compacted) and an
    unreadable compacted object on 2027-01-01 (a day inside a compacted range)."""
    store = LocalDirectoryStore(lake)
    compact(store, raw_days(store))
    state = store.get(COMPACTION_STATE_KEY)
    decoded = CompactionState.decode(state.data)
    tables = {}
    for table in TABLES:
        (lake / table.prefix / "dt=2025-12-01").mkdir(parents=True)
        (lake / table.prefix / "dt=2025-12-01" / "corrupt.json.gz").write_bytes(b"not gzip")
        (lake / compacted_key(table, "2027-01-01")).parent.mkdir(parents=True)
        (lake / compacted_key(table, "2027-01-01")).write_bytes(b"not parquet")
        current = decoded.table(table.name)
        tables[table.name] = TableState(ranges=(*current.ranges, ("2027-01-01", "2027-01-01")), days=current.days)
    store.put(COMPACTION_STATE_KEY, CompactionState(tables).encode(), replaces=state.etag)
    return lake


@pytest.mark.parametrize("name", NAMES)
def test_dt_filters_prune_both_sides_of_the_views(lake_with_corrupt_edges, raw_lake, run_named, history, name):
    params = parameters_for(name, history)
    bounded = "2026-12-31" in params
    if not bounded:  # "from this day on" reads every later day, 2027 included, as it should
        for table in TABLES:
            (lake_with_corrupt_edges / compacted_key(table, "2027-01-01")).unlink()
    assert run_named(name, lake_with_corrupt_edges, params) == run_named(name, raw_lake, params)
    # Widened to 2025-11 the query must open the raw object; to 2027 the compacted one: so the run
    # above pruned both.
    early = ["2025-11-01" if p == "2026-01-01" else p for p in params]
    with pytest.raises(QueryError, match="corrupt.json.gz"):
        run_named(name, lake_with_corrupt_edges, early)
    if bounded:
        late = ["2027-12-31" if p == "2026-12-31" else p for p in params]
        with pytest.raises(QueryError, match="data.parquet"):
            run_named(name, lake_with_corrupt_edges, late)


def test_the_local_engine_has_the_raw_and_compacted_tables_and_the_views(lake):
    """``<table>_raw`` holds the days not compacted (the compacted days' files are not even listed, as
    partition projection does not list them in Athena), ``<table>_compacted`` the compacted days, the view both."""
    store = LocalDirectoryStore(lake)
    compact(store, raw_days(store)[:3])
    connection = duckdb.connect()
    register_lake(connection, lake)
    for table in TABLES:
        everything = sum(len(decode_records(p.read_bytes())) for p in (lake / table.prefix).rglob("*.json.gz"))
        raw = connection.execute(f"SELECT count(*), min(dt) FROM {table.raw_table}").fetchone()
        compacted = connection.execute(f"SELECT count(*), count(DISTINCT dt), max(dt) FROM {table.compacted_table}").fetchone()
        view = connection.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
        assert view == everything == raw[0] + compacted[0]
        assert 0 < compacted[1] <= 3 and raw[1] > compacted[2]
    for derived in DERIVED_VIEWS:  # and the views over the views, on the same connection
        assert connection.execute(f"SELECT count(*) FROM {derived.name}").fetchone()[0] > 0


def test_a_state_that_cannot_be_read_is_one_line(lake, run_named):
    (lake / COMPACTION_STATE_KEY).parent.mkdir(parents=True)
    (lake / COMPACTION_STATE_KEY).write_text('{"version": 99}')
    with pytest.raises(QueryError, match=r"^cannot read the compaction state of .*unknown state version 99$"):
        run_named("latest_metrics", lake)
