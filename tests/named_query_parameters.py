"""Parameters with which every named query finds rows in a fixture lake (the synthetic history of
tests/queries and tests/compaction), as the CLI gives them: strings, typed by ``NamedQuery.bind``. A
new named query gets one line here."""

from __future__ import annotations

from mlmeta.local.synthetic_lake import LakeRecords

CHURN = "churn-prediction-dev"
WIDE = ("2026-01-01", "2026-12-31")


def parameters_for(name: str, history: LakeRecords) -> list[str]:
    first, second = sorted({m["pipeline_execution_id"] for m in history.metric_snapshots})[:2]
    return {
        "metric_history": [CHURN, "auc", *WIDE],
        "metric_drift": [CHURN, "auc", *WIDE, "5", "3.0", "0.9", "0.01"],
        "latest_metrics": [WIDE[0]],
        "naming_violations": [WIDE[0]],
        "execution_comparison": [first, second, *WIDE],
        "runs": [CHURN, *WIDE],
    }[name]
