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

``DERIVED_VIEWS`` are views over those views, such as ``execution_metrics`` (one value per execution
and metric, the rule the named queries share). They read no table directly, so they carry no day
range: the lake stack deploys them, the local engine registers them, and the compactor never rewrites them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mlmeta_contract.lake.layout import parse_day
from mlmeta_contract.lake.schema import METRIC_SNAPSHOTS, PARTITION_KEY, Column, TableSpec

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


@dataclass(frozen=True)
class DerivedView:
    """A view over the analysts' view ``source``, with its columns (and ``dt``) and one SQL text."""

    name: str
    source: TableSpec
    description: str
    sql: str

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.source.columns


def one_value_per_execution_sql(source: TableSpec) -> str:
    """Analysis-trial metrics of ``source``, one row per execution and metric_name: the value with the
    latest metric_time wins, ties go to the first trial_component_name in sort order.

    pipeline_name and dt are functions of the execution (dt is the day it ended), so partitioning by them
    too ranks the same rows; it lets a query's ``pipeline_name = ?`` and ``dt >= ?`` reach the tables
    below the window (Trino and DuckDB push only predicates on partition columns through a window), so
    the view prunes partitions as the tables do."""
    columns = ",\n    ".join([*source.column_names, PARTITION_KEY])
    return (
        f"SELECT\n    {columns}\nFROM (\n"
        f"    SELECT\n        *,\n"
        f"        row_number() OVER (\n"
        f"            PARTITION BY pipeline_name, {PARTITION_KEY}, pipeline_execution_id, metric_name\n"
        f"            ORDER BY from_iso8601_timestamp(metric_time) DESC NULLS LAST, trial_component_name ASC\n"
        f"        ) AS pick\n"
        f"    FROM {source.name}\n"
        f"    WHERE trial_kind = 'analysis'\n"
        f") AS ranked\nWHERE pick = 1"
    )


EXECUTION_METRICS = DerivedView(
    name="execution_metrics",
    source=METRIC_SNAPSHOTS,
    description=(
        "Analysis-trial metrics, one value per pipeline execution and metric: the latest metric_time wins, "
        "ties go to the first trial_component_name. A view over metric_snapshots."
    ),
    sql=one_value_per_execution_sql(METRIC_SNAPSHOTS),
)
DERIVED_VIEWS: tuple[DerivedView, ...] = (EXECUTION_METRICS,)


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


def presto_view_text(sql: str, columns: Sequence[Column], database: str) -> str:
    """Athena's ``ViewOriginalText`` for a view of ``columns`` and ``dt``: base64 of the Presto view
    definition (JSON)."""
    definition = {
        "originalSql": sql,
        "catalog": ATHENA_CATALOG,
        "schema": database,
        "columns": [{"name": c.name, "type": presto_type(c.type)} for c in columns]
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
    description = f"{table.description} A view: compacted days from {table.compacted_table}, the others from {table.raw_table}."
    return _glue_view(table.name, description, table.columns, view_sql(table, ranges), database)


def derived_view_input(view: DerivedView, database: str) -> dict[str, Any]:
    """The Glue ``TableInput`` of a derived view, in the same encoding."""
    return _glue_view(view.name, view.description, view.columns, view.sql, database)


def _glue_view(name: str, description: str, columns: Sequence[Column], sql: str, database: str) -> dict[str, Any]:
    return {
        "Name": name,
        "Description": description,
        "TableType": "VIRTUAL_VIEW",
        "Parameters": {"presto_view": "true", "comment": "Presto View"},
        "PartitionKeys": [],
        "StorageDescriptor": {
            "Columns": [{"Name": c.name, "Type": c.type} for c in columns] + [{"Name": PARTITION_KEY, "Type": "string"}],
            "SerdeInfo": {},
        },
        "ViewOriginalText": presto_view_text(sql, columns, database),
        "ViewExpandedText": "/* Presto View */",
    }


def view_original_sql(text: str) -> str:
    """The SQL inside a Glue view text, to compare a deployed view with the one wanted."""
    return str(decode_presto_view(text)["originalSql"])


def _checked(first: str, last: str) -> DayRange:
    for day in (first, last):
        parse_day(day)
    if first > last:
        raise ValueError(f"empty day range {first}..{last}")
    return first, last
