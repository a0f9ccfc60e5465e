"""Names shared by the plot tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

from mlmeta.local.synthetic_lake import Drift

USE_CASE = "churn-prediction"
PIPELINE = f"{USE_CASE}-dev"
# 60 daily executions of churn-prediction-dev from 2026-01-05; auc drops by 0.05 from run 45.
EXECUTIONS = 60
PLANTED_DRIFT = Drift(metric_name="auc", start_run=45, shift=-0.05)
