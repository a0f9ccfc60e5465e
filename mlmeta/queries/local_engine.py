"""Runs a named query on DuckDB, in process, over a local directory laid out like the lake bucket.

``<lake>/raw/metric_snapshots/dt=YYYY-MM-DD/<id>.json.gz`` and the other prefixes of
``mlmeta.lake.schema`` become the tables the queries name, with the column types of the data
contract (not DuckDB's guesses) and ``dt`` as a VARCHAR hive partition, so ``dt >= ?`` prunes files
here as it prunes partitions in Athena. The Trino SQL is translated by ``trino_to_duckdb``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from mlmeta.lake.schema import PARTITION_KEY, TABLES, TableSpec
from mlmeta.queries.catalog import NamedQuery, QueryError
from mlmeta.queries.result import QueryResult
from mlmeta.queries.trino_to_duckdb import SESSION_SETTINGS, to_duckdb

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


def run_local(query: NamedQuery, values: list[object], lake: Path) -> QueryResult:
    """Run ``query`` with its bound ``values`` (from ``NamedQuery.bind``) over the lake directory ``lake``."""
    lake = Path(lake)
    if not lake.is_dir():
        raise QueryError(
            f"lake directory {lake} does not exist; pass a directory laid out like the lake bucket "
            f"(e.g. {lake}/raw/metric_snapshots/dt=YYYY-MM-DD/<execution_id>.json.gz)"
        )
    if len(values) != len(query.parameters):
        raise QueryError(f"query {query.name!r} takes {len(query.parameters)} parameter(s), got {len(values)}")
    sql = to_duckdb(query.sql)
    connection = duckdb.connect(":memory:")
    try:
        for setting in SESSION_SETTINGS:
            connection.execute(setting)
        register_lake(connection, lake)
        cursor = connection.execute(sql, values)
        columns = tuple(d[0] for d in cursor.description)
        rows = tuple(tuple(row) for row in cursor.fetchall())
    except duckdb.Error as err:
        message = " ".join(str(err).split("\n", 1)[0].split())
        raise QueryError(f"query {query.name!r} failed on the local DuckDB engine: {message}") from None
    finally:
        connection.close()
    return QueryResult(columns, rows)


def register_lake(connection: duckdb.DuckDBPyConnection, lake: Path) -> None:
    """One view per lake table; a table without objects yet is an empty view with the same columns."""
    for table in TABLES:
        connection.execute(f"CREATE OR REPLACE VIEW {table.name} AS {_table_source(table, lake)}")


def _table_source(table: TableSpec, lake: Path) -> str:
    types = {c.name: duckdb_type(c.type) for c in table.columns}
    directory = lake / table.prefix
    if not any(directory.glob(OBJECT_GLOB)):
        typed_nulls = [f"CAST(NULL AS {t}) AS {name}" for name, t in types.items()]
        return f"SELECT {', '.join(typed_nulls)}, CAST(NULL AS VARCHAR) AS {PARTITION_KEY} WHERE false"
    columns = ", ".join(f"{_quote(name)}: {_quote(t)}" for name, t in types.items())
    return (
        f"SELECT {', '.join(types)}, {PARTITION_KEY} FROM read_json({_quote(str(directory / OBJECT_GLOB))}, "
        f"format = 'newline_delimited', compression = 'gzip', columns = {{{columns}}}, "
        f"hive_partitioning = true, hive_types = {{{_quote(PARTITION_KEY)}: 'VARCHAR'}})"
    )


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
