"""Binary-classification metrics of a scored test set, and the evaluation report that carries them.

The report follows SageMaker's model-quality format (``binary_classification_metrics.<name>.value``),
so the same file is the pipeline's PropertyFile, the registered model's metrics in the model registry,
and the source of the metric names logged to trial 1.2. ``auc`` is the ROC AUC (SageMaker's name).
"""

from __future__ import annotations

import math
from typing import Dict, Mapping, Sequence

import numpy as np

METRIC_NAMES = ("precision", "recall", "f1", "auc")
REPORT_SECTION = "binary_classification_metrics"


class EvaluationError(ValueError):
    """The test set cannot be scored meaningfully; the message says why, in one line."""


def binary_classification_metrics(labels: Sequence[float], scores: Sequence[float], threshold: float) -> Dict[str, float]:
    """Precision, recall and F1 of ``scores >= threshold``, and the ROC AUC of the scores (sklearn's)."""
    from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score

    y_true = np.asarray(labels, dtype=float)
    y_score = np.asarray(scores, dtype=float)
    if y_true.shape != y_score.shape or y_true.ndim != 1:
        raise EvaluationError(f"labels {y_true.shape} and scores {y_score.shape} must be one value per test row")
    if not np.isin(y_true, (0.0, 1.0)).all():
        raise EvaluationError("labels must be 0 or 1 (binary classification)")
    if len(np.unique(y_true)) < 2:
        raise EvaluationError(f"the test set has only label {int(y_true[0])}: ROC AUC needs both classes")
    if not np.isfinite(y_score).all():
        raise EvaluationError("the model produced a non-finite score")
    if not 0.0 < threshold < 1.0:
        raise EvaluationError(f"decision threshold {threshold} must be between 0 and 1")
    predicted = (y_score >= threshold).astype(int)
    y_int = y_true.astype(int)
    # zero_division=0: a model that never predicts churn has precision 0, not an exception.
    return {
        "precision": float(precision_score(y_int, predicted, zero_division=0)),
        "recall": float(recall_score(y_int, predicted, zero_division=0)),
        "f1": float(f1_score(y_int, predicted, zero_division=0)),
        "auc": float(roc_auc_score(y_int, y_score)),
    }


def evaluation_report(metrics: Mapping[str, float]) -> Dict[str, Dict[str, Dict[str, object]]]:
    """The evaluation.json document; standard_deviation is "NaN" as SageMaker writes it for single runs."""
    missing = [name for name in METRIC_NAMES if name not in metrics]
    if missing:
        raise EvaluationError(f"missing metrics: {', '.join(missing)}")
    for name in METRIC_NAMES:
        if not math.isfinite(metrics[name]):
            raise EvaluationError(f"metric {name} is {metrics[name]}")
    return {REPORT_SECTION: {name: {"value": metrics[name], "standard_deviation": "NaN"} for name in METRIC_NAMES}}


def report_json_path(metric: str) -> str:
    """The JsonGet path of one metric in the report, for the pipeline's condition."""
    if metric not in METRIC_NAMES:
        raise ValueError(f"unknown metric {metric!r}; metrics: {', '.join(METRIC_NAMES)}")
    return f"{REPORT_SECTION}.{metric}.value"
