"""Compacted lake objects: one table's rows of one day as Parquet (zstd), byte-identical for the same rows.

The Parquet types follow the Hive types of ``mlmeta_contract.lake.schema`` (what the Glue tables declare), rows
are sorted for the named queries' filters, and nothing in the file depends on when or where it was
written: the same rows give the same bytes (docs/compaction.md, "Deterministic bytes").

Runs in the compactor Lambda (pyarrow from AWS's SDK-for-pandas layer) and locally.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from mlmeta_contract.lake.schema import COMPONENT_SNAPSHOTS, METRIC_SNAPSHOTS, NAMING_AUDIT, TableSpec

# zstd at level 9: the files are small and written once a day, read by every query after that.
COMPRESSION = "zstd"
COMPRESSION_LEVEL = 9
# Far above a day's rows (a day of 1,000 executions is ~9,000 metric rows): one row group a day.
ROW_GROUP_ROWS = 1_000_000

# Row order inside a day: the named queries filter on the leading columns (metric_history and
# metric_drift on pipeline and metric, latest_metrics on trial kind), so Parquet's min/max statistics
# and dictionary pages stay small and selective. The whole record breaks the remaining ties.
SORT_KEYS: Mapping[str, tuple[str, ...]] = {
    METRIC_SNAPSHOTS.name: (
        "pipeline_name", "metric_name", "trial_kind", "execution_end", "pipeline_execution_id", "trial_component_name",
    ),
    COMPONENT_SNAPSHOTS.name: ("pipeline_name", "execution_end", "pipeline_execution_id", "trial_kind", "trial_component_name"),
    NAMING_AUDIT.name: ("verdict", "checked_at", "resource_type", "resource_name"),
}  # fmt: skip

_SCALAR_TYPES = {
    "string": pa.string(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
}


def arrow_type(hive_type: str) -> pa.DataType:
    """The Arrow (and so Parquet) type of a Hive column type; ``map<string,string>`` becomes a Parquet MAP."""
    text = hive_type.replace(" ", "").lower()
    if text.startswith("map<") and text.endswith(">"):
        key, value = text[4:-1].split(",", 1)
        return pa.map_(arrow_type(key), arrow_type(value))
    try:
        return _SCALAR_TYPES[text]
    except KeyError:
        raise ValueError(f"no Parquet type for the Hive type {hive_type!r}") from None


def arrow_schema(table: TableSpec) -> pa.Schema:
    """The columns of ``table`` in schema order; ``dt`` is not stored (it is the object's partition)."""
    return pa.schema([pa.field(c.name, arrow_type(c.type)) for c in table.columns])


def sort_rows(table: TableSpec, rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``rows`` in the table's compacted order, whatever order they came in."""
    keys = SORT_KEYS.get(table.name, table.column_names)

    def order(row: Mapping[str, Any]) -> tuple:
        # None sorts first; the canonical JSON of the whole row makes the order total.
        leading = tuple((row.get(k) is not None, row.get(k) or "") for k in keys)
        return (*leading, json.dumps(row, sort_keys=True, separators=(",", ":")))

    return sorted(rows, key=order)


def encode_parquet(table: TableSpec, rows: Sequence[Mapping[str, Any]], metadata: Mapping[str, str]) -> bytes:
    """The rows (in any order) as one Parquet object with ``metadata`` as key-value metadata.

    Deterministic: fixed row order, fixed writer options, no Arrow schema blob, no time or host in the
    file. Only the pyarrow version (``created_by``) ties the bytes to the writer."""
    schema = arrow_schema(table)
    unknown = {key for row in rows for key in row} - set(schema.names)
    if unknown:
        raise ValueError(f"{table.name} rows have columns the schema does not: {sorted(unknown)}")
    ordered = sort_rows(table, rows)
    columns = {name: [row.get(name) for row in ordered] for name in schema.names}
    arrow_table = pa.Table.from_pydict(columns, schema=schema)
    sink = io.BytesIO()
    with pq.ParquetWriter(
        sink,
        schema,
        compression=COMPRESSION,
        compression_level=COMPRESSION_LEVEL,
        use_dictionary=True,
        write_statistics=True,
        # Without it the file would carry a serialized Arrow schema no reader here needs.
        store_schema=False,
    ) as writer:
        writer.write_table(arrow_table, row_group_size=ROW_GROUP_ROWS)
        writer.add_key_value_metadata(dict(sorted(metadata.items())))
    return sink.getvalue()


def decode_parquet(blob: bytes) -> list[dict[str, Any]]:
    """The rows of a compacted object, maps as dicts (as the raw JSON has them)."""
    table = pq.read_table(io.BytesIO(blob))
    maps = [field.name for field in table.schema if pa.types.is_map(field.type)]
    rows = table.to_pylist()
    for row in rows:
        for name in maps:
            if row[name] is not None:
                row[name] = dict(row[name])
    return rows


def parquet_metadata(blob: bytes) -> dict[str, str]:
    """The key-value metadata of a Parquet object."""
    found = pq.ParquetFile(io.BytesIO(blob)).metadata.metadata or {}
    return {key.decode(): value.decode() for key, value in found.items()}
