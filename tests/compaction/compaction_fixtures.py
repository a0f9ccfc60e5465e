"""Names and helpers shared by the compaction tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from mlmeta.queries.local_engine import register_lake
from mlmeta.queries.trino_to_duckdb import SESSION_SETTINGS


def rows_per_day(lake: Path) -> dict[tuple[str, str], int]:
    """(table, dt) -> rows the view ``table`` reads for that day."""
    connection = duckdb.connect()
    try:
        for setting in SESSION_SETTINGS:
            connection.execute(setting)
        register_lake(connection, lake)
        counts = {}
        for table in ("metric_snapshots", "component_snapshots", "naming_audit"):
            for dt, rows in connection.execute(f"SELECT dt, count(*) FROM {table} GROUP BY dt").fetchall():
                counts[(table, dt)] = rows
        return counts
    finally:
        connection.close()
