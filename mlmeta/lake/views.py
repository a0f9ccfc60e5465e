"""The analysts' tables as views (docs/compaction.md): each day read either from its compacted object or
from its raw snapshots, never both.

``metric_snapshots`` (and each table of ``mlmeta_contract.lake.schema.TABLES``) is::

    SELECT <columns>, dt FROM metric_snapshots_compacted WHERE <dt in the compacted ranges>
    UNION ALL
    SELECT <columns>, dt FROM metric_snapshots_raw WHERE NOT (<dt in the compacted ranges>)

The compacted ranges are constants written into the view by the compactor, so a query's
``dt >= ? AND dt <= ?`` and the view's own bounds both prune partitions before any object is opened,
on Athena (partition projection) and on DuckDB (hive partitioning). A predicate computed from a table
at query time (``dt NOT IN (SELECT ...)``) would not prune the raw side: both engines would read every
raw object of the queried days and drop the rows afterwards.

One Trino text serves both engines: the Glue view (``glue_view_input``, Athena's Presto-view encoding,
used by the lake stack at deploy and by the compactor when the ranges change) and the local engine
(which translates it to DuckDB). Standard library only: the compactor Lambda imports it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from mlmeta_contract.lake.schema import PARTITION_KEY, TableSpec

DayRange = tuple[str, str]

# Athena's data catalog: a Presto view names the catalog and schema its unqualified tables live in.
ATHENA_CATALOG = "awsdatacatalog"
PRESTO_VIEW_PREFIX = "/* Presto View: "
PRESTO_VIEW_SUFFIX = " */"
_PRESTO_SCALARS = {"string": "varchar", "int": "integer", "bigint": "bigint", "double": "double", "boolean": "boolean"}


def compacted_predicate(ranges: Sequence[DayRange]) -> str:
    """``dt`` inside one of ``ranges`` (inclusive YYYY-MM-DD bounds), as string comparisons."""
    if not ranges:
        return "false"
    checked = [_checked(first, last) for first, last in ranges]
    return " OR ".join(f"({PARTITION_KEY} >= '{first}' AND {PARTITION_KEY} <= '{last}')" for first, last in checked)


def view_sql(table: TableSpec, ranges: Sequence[DayRange]) -> str:
    """The Trino SQL of the view ``table.name`` when ``ranges`` are the compacted days."""
    columns = ",\n    ".join([*table.column_names, PARTITION_KEY])
    compacted = compacted_predicate(ranges)
    return (
        f"SELECT\n    {columns}\nFROM {table.compacted_table}\nWHERE {compacted}\n"
        f"UNION ALL\n"
        f"SELECT\n    {columns}\nFROM {table.raw_table}\nWHERE NOT ({compacted})"
    )


def presto_type(hive_type: str) -> str:
    """The Presto/Trino type a view column declares for a Hive column type (``map<string,string>`` ->
    ``map(varchar,varchar)``)."""
    text = hive_type.replace(" ", "").lower()
    if text.startswith("map<") and text.endswith(">"):
        key, value = text[4:-1].split(",", 1)
        return f"map({presto_type(key)},{presto_type(value)})"
    try:
        return _PRESTO_SCALARS[text]
    except KeyError:
        raise ValueError(f"no Presto type for the Hive type {hive_type!r}") from None


def presto_view_text(sql: str, table: TableSpec, database: str) -> str:
    """Athena's ``ViewOriginalText`` for a view: base64 of the Presto view definition (JSON)."""
    definition = {
        "originalSql": sql,
        "catalog": ATHENA_CATALOG,
        "schema": database,
        "columns": [{"name": c.name, "type": presto_type(c.type)} for c in table.columns]
        + [{"name": PARTITION_KEY, "type": "varchar"}],
    }
    encoded = base64.b64encode(json.dumps(definition, separators=(",", ":")).encode("utf-8")).decode("ascii")
    return f"{PRESTO_VIEW_PREFIX}{encoded}{PRESTO_VIEW_SUFFIX}"


def decode_presto_view(text: str) -> dict[str, Any]:
    """The definition inside a ``ViewOriginalText`` (inverse of ``presto_view_text``)."""
    if not (text.startswith(PRESTO_VIEW_PREFIX) and text.endswith(PRESTO_VIEW_SUFFIX)):
        raise ValueError("not an Athena (Presto) view text")
    return json.loads(base64.b64decode(text[len(PRESTO_VIEW_PREFIX) : -len(PRESTO_VIEW_SUFFIX)]))


def glue_view_input(table: TableSpec, database: str, ranges: Sequence[DayRange]) -> dict[str, Any]:
    """The Glue ``TableInput`` of the view (Glue API field names), as Athena's CREATE VIEW writes it."""
    return {
        "Name": table.name,
        "Description": f"{table.description} A view: compacted days from {table.compacted_table}, the others from {table.raw_table}.",
        "TableType": "VIRTUAL_VIEW",
        "Parameters": {"presto_view": "true", "comment": "Presto View"},
        "PartitionKeys": [],
        "StorageDescriptor": {
            "Columns": [{"Name": c.name, "Type": c.type} for c in table.columns]
            + [{"Name": PARTITION_KEY, "Type": "string"}],
            "SerdeInfo": {},
        },
        "ViewOriginalText": presto_view_text(view_sql(table, ranges), table, database),
        "ViewExpandedText": "/* Presto View */",
    }


def view_original_sql(text: str) -> str:
    """The SQL inside a Glue view text, to compare a deployed view with the one wanted."""
    return str(decode_presto_view(text)["originalSql"])


def _checked(first: str, last: str) -> DayRange:
    for day in (first, last):
        if date.fromisoformat(day).isoformat() != day:
            raise ValueError(f"not a YYYY-MM-DD day: {day!r}")
    if first > last:
        raise ValueError(f"empty day range {first}..{last}")
    return first, last
