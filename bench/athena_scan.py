"""What Athena would scan (and bill) for a named query over a local lake, without Athena.

Athena bills the bytes it reads from S3. With partition projection it opens only the partitions the
query's ``dt`` bounds select, and then:

- a gzip JSON object is read whole (it is neither columnar nor splittable): its size on disk;
- a Parquet object is read by column: the compressed column chunks of the columns the query uses, plus
  the footer that locates them (from the object's own footer).

Row groups are all counted (no min/max skipping), so the Parquet figure is an upper bound. Files
touched counts the objects opened, each at least one GET.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import pyarrow.parquet as pq
import sqlglot
from sqlglot import exp

from mlmeta.lake.compaction_state import compacted_ranges
from mlmeta.lake.object_store import LocalDirectoryStore
from mlmeta_contract.lake.schema import PARTITION_KEY, TABLES, TableSpec
from mlmeta.lake.views import DERIVED_VIEWS, DerivedView
from mlmeta.queries.catalog import NamedQuery
from mlmeta_contract.lake.layout import compacted_key

# Parquet's footer is followed by its 4-byte length and the 4-byte magic number.
_FOOTER_TAIL = 8


@dataclass(frozen=True)
class Scan:
    files: int = 0
    bytes: int = 0

    def __add__(self, other: Scan) -> Scan:
        return Scan(self.files + other.files, self.bytes + other.bytes)


def tables_read(query: NamedQuery) -> list[TableSpec]:
    """The lake tables the query reads, itself or through a derived view (``execution_metrics``)."""
    names = _tables_named(query.sql)
    names |= {view.source.name for view in _derived_views_read(query)}
    return [table for table in TABLES if table.name in names]


def columns_read(query: NamedQuery, table: TableSpec) -> set[str]:
    """The table's columns the query names anywhere (a superset when two tables share a column name),
    plus those a derived view it reads ranks and filters on. A view's select list is not counted: Athena
    reads only the columns the query asks of it."""
    named = {column.name for column in sqlglot.parse_one(query.sql, read="trino").find_all(exp.Column)}
    for view in _derived_views_read(query):
        if view.source is table:
            tree = sqlglot.parse_one(view.sql, read="trino")
            named |= {column.name for node in (*tree.find_all(exp.Window), *tree.find_all(exp.Where)) for column in node.find_all(exp.Column)}
    return named & set(table.column_names)


def _tables_named(sql: str) -> set[str]:
    return {table.name for table in sqlglot.parse_one(sql, read="trino").find_all(exp.Table)}


def _derived_views_read(query: NamedQuery) -> list[DerivedView]:
    names = _tables_named(query.sql)
    return [view for view in DERIVED_VIEWS if view.name in names]


def scanned(query: NamedQuery, lake: Path, first: str, last: str) -> Scan:
    """Files and bytes Athena would read for ``query`` over days ``first``..``last`` of ``lake``, each day
    from its compacted object if the views take it from there, else from its raw objects."""
    ranges = compacted_ranges(LocalDirectoryStore(lake))
    total = Scan()
    for table in tables_read(query):
        columns = columns_read(query, table)
        for dt in _days(first, last):
            if any(a <= dt <= b for a, b in ranges[table.name]):
                path = lake / compacted_key(table, dt)
                if path.is_file():
                    total += Scan(1, _parquet_bytes(str(path), frozenset(columns)))
            else:
                total += _raw_scan(lake / table.prefix / f"{PARTITION_KEY}={dt}")
    return total


def _raw_scan(partition: Path) -> Scan:
    if not partition.is_dir():
        return Scan()
    with os.scandir(partition) as entries:
        sizes = [entry.stat().st_size for entry in entries if entry.name.endswith(".json.gz")]
    return Scan(len(sizes), sum(sizes))


@lru_cache(maxsize=4096)
def _parquet_bytes(path: str, columns: frozenset[str]) -> int:
    metadata = pq.ParquetFile(path).metadata
    chunks = 0
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for index in range(row_group.num_columns):
            column = row_group.column(index)
            if column.path_in_schema.split(".")[0] in columns:
                chunks += column.total_compressed_size
    return chunks + metadata.serialized_size + _FOOTER_TAIL


def _days(first: str, last: str) -> list[str]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]
