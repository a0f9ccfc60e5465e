"""The schema check of the rows the handlers write to the lake, shared by the handler tests and the demo's
(both tracking backends must write rows this accepts)."""

from __future__ import annotations

from mlmeta.lake.parquet import encode_parquet
from mlmeta_contract.lake.schema import TableSpec


def satisfies_schema(rows: list[dict], table: TableSpec) -> None:
    """Exactly the table's columns, of the table's types (the Parquet encoding of the compactor refuses others)."""
    assert rows and all(tuple(sorted(row)) == tuple(sorted(table.column_names)) for row in rows)
    encode_parquet(table, rows, {"schema_version": "1"})
