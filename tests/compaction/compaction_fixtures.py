"""Names and helpers shared by the compaction tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from mlmeta.local.synthetic_lake import LakeRecords
from mlmeta.queries.local_engine import register_lake
from mlmeta.queries.trino_to_duckdb import SESSION_SETTINGS

CHURN = "churn-prediction-dev"
WIDE = ("2026-01-01", "2026-12-31")


def parameters_for(name: str, history: LakeRecords) -> list[str]:
    """Parameters with which every named query finds rows in the fixture lake."""
    first, second = sorted({m["pipeline_execution_id"] for m in history.metric_snapshots})[:2]
    return {
        "metric_history": [CHURN, "auc", *WIDE],
        "metric_drift": [CHURN, "auc", *WIDE, "5", "3.0", "0.9", "0.01"],
        "latest_metrics": [WIDE[0]],
        "naming_violations": [WIDE[0]],
        "execution_comparison": [first, second, *WIDE],
        "runs": [CHURN, *WIDE],
    }[name]


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
