"""Names shared by the analytics tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

from mlmeta.local.synthetic_lake import Drift

USE_CASE, OTHER_USE_CASE = "churn-prediction", "fraud-detection"
PIPELINE = f"{USE_CASE}-dev"
PLANTED_DRIFT = Drift(metric_name="auc", start_run=30, shift=-0.05, pipeline_name=PIPELINE)
