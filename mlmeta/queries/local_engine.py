"""Runs a named query on DuckDB, in process, over a local directory laid out like the lake bucket.

The tables are those of Athena (docs/compaction.md): ``<table>_raw`` over
``<lake>/raw/metric_snapshots/dt=YYYY-MM-DD/<id>.json.gz`` (and the other prefixes of
``mlmeta_contract.lake.schema``), ``<table>_compacted`` over ``<lake>/compacted/<table>/dt=YYYY-MM-DD/data.parquet``,
and the view ``<table>`` the queries name: the same Trino view text as the Glue view
(``mlmeta.lake.views``), with the compacted day ranges of ``<lake>/state/compaction/``; then the derived
views over those (``execution_metrics``), also from the Glue views' text. Column types
are the data contract's (not DuckDB's guesses) and ``dt`` is a VARCHAR hive partition, so ``dt >= ?``
prunes files here as it prunes partitions in Athena. The Trino SQL is translated by ``trino_to_duckdb``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import duckdb

from mlmeta.lake.compaction_state import CompactionError, compacted_ranges
from mlmeta.lake.object_store import LocalDirectoryStore
from mlmeta_contract.lake.schema import PARTITION_KEY, TABLES, TableSpec
from mlmeta.lake.views import DERIVED_VIEWS, DayRange, view_sql
from mlmeta.queries.catalog import NamedQuery, QueryError
from mlmeta.queries.result import QueryResult
from mlmeta.queries.trino_to_duckdb import SESSION_SETTINGS, to_duckdb
from mlmeta_contract.lake.layout import COMPACTED_OBJECT_NAME, layout_folders

_SCALAR_TYPES = {
    "string": "VARCHAR",
    "varchar": "VARCHAR",
    "boolean": "BOOLEAN",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "float": "FLOAT",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
OBJECT_GLOB = f"{PARTITION_KEY}=*/*.json.gz"
COMPACTED_GLOB = f"{PARTITION_KEY}=*/{COMPACTED_OBJECT_NAME}"


def run_local(query: NamedQuery, values: list[object], lake: Path) -> QueryResult:
    """Run ``query`` with its bound ``values`` (from ``NamedQuery.bind``) over the lake directory ``lake``;
    values the query's header rules out are refused first (``NamedQuery.check``)."""
    query.check(values)
    lake = Path(lake)
    check_lake_directory(lake)
    sql = to_duckdb(query.sql)
    connection = duckdb.connect(":memory:")
    try:
        for setting in SESSION_SETTINGS:
            connection.execute(setting)
        register_lake(connection, lake, needed_by=sql)
        cursor = connection.execute(sql, values)
        columns = tuple(d[0] for d in cursor.description)
        rows = tuple(tuple(row) for row in cursor.fetchall())
    except duckdb.Error as err:
        message = " ".join(str(err).split("\n", 1)[0].split())
        raise QueryError(f"query {query.name!r} failed on the local DuckDB engine: {message}") from None
    finally:
        connection.close()
    return QueryResult(columns, rows)


def check_lake_directory(lake: Path) -> None:
    """QueryError unless ``lake`` is a directory with the lake's layout (``mlmeta_contract.lake.layout``): a wrong
    --lake must not answer "(0 rows)" as if the lake were empty."""
    if lake.is_file():
        raise QueryError(f"lake directory {lake} is a file, not a directory; pass the directory laid out like the lake bucket")
    if not lake.is_dir():
        raise QueryError(
            f"lake directory {lake} does not exist; pass a directory laid out like the lake bucket "
            f"(e.g. {lake}/raw/metric_snapshots/dt=YYYY-MM-DD/<execution_id>.json.gz)"
        )
    folders = layout_folders(TABLES)
    if _has_layout(lake, folders):
        return
    try:
        lakes_inside = sorted(child for child in lake.iterdir() if child.is_dir() and _has_layout(child, folders))
    except OSError:
        lakes_inside = []
    hint = f"did you mean --lake {lakes_inside[0]}?" if lakes_inside else "pass the directory that holds them (e.g. out/demo/lake)"
    raise QueryError(
        f"{lake} is not a lake directory: it has none of {', '.join(f + '/' for f in folders)} "
        f"(the layout of the lake bucket); {hint}"
    )


def _has_layout(directory: Path, folders: Sequence[str]) -> bool:
    return any((directory / folder).is_dir() for folder in folders)


def register_lake(connection: duckdb.DuckDBPyConnection, lake: Path, *, needed_by: str | None = None) -> None:
    """Per lake table: ``<table>_raw``, ``<table>_compacted`` and the view ``<table>`` over both; then the
    derived views over those. A table without objects yet is an empty view with the same columns.

    ``needed_by``: only the tables and derived views this SQL names (and the tables under those views).
    DuckDB binds a view when it is created, listing and reading the files under it: ten milliseconds and
    more each on a small lake, a large share of a query there, so one query does not pay for views it
    never reads (Athena's catalog has them all anyway)."""
    try:
        ranges = compacted_ranges(LocalDirectoryStore(lake))
    except (CompactionError, ValueError, KeyError, TypeError) as err:
        raise QueryError(f"cannot read the compaction state of {lake}: {err}") from None
    derived = [view for view in DERIVED_VIEWS if needed_by is None or _names(needed_by, view.name)]
    under_derived = {view.source.name for view in derived}
    for table in TABLES:
        if needed_by is not None and table.name not in under_derived and not _names(needed_by, table.name):
            continue
        covered = ranges[table.name]
        connection.execute(f"CREATE OR REPLACE VIEW {table.raw_table} AS {_raw_source(table, lake, covered)}")
        connection.execute(f"CREATE OR REPLACE VIEW {table.compacted_table} AS {_compacted_source(table, lake)}")
        connection.execute(f"CREATE OR REPLACE VIEW {table.name} AS {to_duckdb(view_sql(table, covered))}")
    for view in derived:
        connection.execute(f"CREATE OR REPLACE VIEW {view.name} AS {to_duckdb(view.sql)}")


def _names(sql: str, name: str) -> bool:
    """Whether ``sql`` names the view ``name`` or its ``_raw`` / ``_compacted`` table (a comment counts too:
    registering one view too many costs time, never an answer)."""
    return re.search(rf"\b{re.escape(name)}(?:_raw|_compacted)?\b", sql) is not None


def _raw_source(table: TableSpec, lake: Path, compacted: Sequence[DayRange]) -> str:
    """The raw objects of the days the view reads from raw (all days but the compacted ones).

    Compacted days are left out of the file list, as partition projection leaves them out in Athena:
    DuckDB lists every file a glob matches before it prunes on ``dt``, which on a compacted lake of
    100,000 executions was most of a query's time (bench/hot_spots.md)."""
    types = _column_types(table)
    directory = lake / table.prefix
    if not compacted:
        patterns = [str(directory / OBJECT_GLOB)] if any(directory.glob(OBJECT_GLOB)) else []
    else:
        patterns = [
            str(directory / partition / OBJECT_GLOB.split("/", 1)[1])
            for partition in _raw_partitions(directory)
            if not any(first <= partition[len(PARTITION_KEY) + 1 :] <= last for first, last in compacted)
            and any((directory / partition).glob("*.json.gz"))
        ]
    if not patterns:
        return _empty_source(types)
    columns = ", ".join(f"{_quote(name)}: {_quote(t)}" for name, t in types.items())
    files = _quote(patterns[0]) if len(patterns) == 1 else "[" + ", ".join(_quote(p) for p in patterns) + "]"
    return (
        f"SELECT {', '.join(types)}, {PARTITION_KEY} FROM read_json({files}, "
        f"format = 'newline_delimited', compression = 'gzip', columns = {{{columns}}}, "
        f"hive_partitioning = true, hive_types = {{{_quote(PARTITION_KEY)}: 'VARCHAR'}})"
    )


def _compacted_source(table: TableSpec, lake: Path) -> str:
    types = _column_types(table)
    directory = lake / table.compacted_prefix
    if not any(directory.glob(COMPACTED_GLOB)):
        return _empty_source(types)
    # The Parquet types are the contract's already (mlmeta.lake.parquet); the casts only pin them.
    columns = ", ".join(f"CAST({name} AS {t}) AS {name}" for name, t in types.items())
    return (
        f"SELECT {columns}, {PARTITION_KEY} FROM read_parquet({_quote(str(directory / COMPACTED_GLOB))}, "
        f"hive_partitioning = true, hive_types = {{{_quote(PARTITION_KEY)}: 'VARCHAR'}})"
    )


def _raw_partitions(directory: Path) -> list[str]:
    """The ``dt=...`` folder names below ``directory``, sorted."""
    if not directory.is_dir():
        return []
    marker = f"{PARTITION_KEY}="
    return sorted(entry.name for entry in os.scandir(directory) if entry.is_dir() and entry.name.startswith(marker))


def _column_types(table: TableSpec) -> dict[str, str]:
    return {c.name: duckdb_type(c.type) for c in table.columns}


def _empty_source(types: dict[str, str]) -> str:
    typed_nulls = [f"CAST(NULL AS {t}) AS {name}" for name, t in types.items()]
    return f"SELECT {', '.join(typed_nulls)}, CAST(NULL AS VARCHAR) AS {PARTITION_KEY} WHERE false"


def duckdb_type(hive_type: str) -> str:
    """The DuckDB type of a Hive/Glue column type (``map<string,string>`` -> ``MAP(VARCHAR, VARCHAR)``)."""
    text = hive_type.strip().lower()
    if text.startswith("map<") and text.endswith(">"):
        key, value = _split_type_arguments(text[4:-1], hive_type)
        return f"MAP({duckdb_type(key)}, {duckdb_type(value)})"
    if text.startswith("array<") and text.endswith(">"):
        return f"{duckdb_type(text[6:-1])}[]"
    try:
        return _SCALAR_TYPES[text]
    except KeyError:
        raise ValueError(f"no DuckDB type for the Hive type {hive_type!r}") from None


def _split_type_arguments(arguments: str, hive_type: str) -> tuple[str, str]:
    depth = 0
    for index, char in enumerate(arguments):
        depth += {"<": 1, ">": -1}.get(char, 0)
        if char == "," and depth == 0:
            return arguments[:index], arguments[index + 1 :]
    raise ValueError(f"the Hive type {hive_type!r} needs two type arguments")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
