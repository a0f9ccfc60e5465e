"""Names and helpers shared by the query tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import pandas as pd

from mlmeta.local.synthetic_lake import Drift

CHURN = "churn-prediction-dev"
FRAUD = "fraud-detection-dev"
# 30 runs per pipeline, 9 h apart from 2026-01-05: the dt partitions 2026-01-05 .. 2026-01-16.
PLANTED_DRIFT = Drift(metric_name="auc", start_run=22, shift=-0.05, pipeline_name=CHURN)


def utc(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True, format="ISO8601")


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, object]]:
    """Rows of ``frame`` as dicts, NaN as None (how the engine returns SQL NULL)."""
    return [{c: (None if pd.isna(v) else v) for c, v in row.items()} for row in frame[columns].to_dict("records")]
