"""The evaluation metrics equal independent first-principles computations, and bad inputs fail clearly."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.common.classification import (
    METRIC_NAMES,
    EvaluationError,
    binary_classification_metrics,
    evaluation_report,
    report_json_path,
)


def numpy_metrics(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, float]:
    """Confusion counts for precision/recall/F1; ROC AUC as the Mann-Whitney statistic (ties count half)."""
    predicted = scores >= threshold
    positive = labels == 1
    tp = np.sum(predicted & positive)
    fp = np.sum(predicted & ~positive)
    fn = np.sum(~predicted & positive)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    pos, neg = scores[positive], scores[~positive]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return {"precision": precision, "recall": recall, "f1": f1, "auc": wins / (len(pos) * len(neg))}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8])
def test_metrics_equal_first_principles(seed, threshold):
    rng = np.random.default_rng(seed)
    labels = rng.binomial(1, 0.3, size=400).astype(float)
    # Informative but noisy scores, rounded so that ties occur and the AUC's tie rule matters.
    scores = np.clip(0.35 * labels + rng.normal(0.4, 0.2, size=400), 0.0, 1.0).round(2)
    computed = binary_classification_metrics(labels, scores, threshold)
    assert set(computed) == set(METRIC_NAMES)
    assert computed == pytest.approx(numpy_metrics(labels, scores, threshold), abs=1e-12)


def test_a_model_that_never_predicts_churn_has_zero_precision_not_an_error():
    metrics = binary_classification_metrics([0, 1, 0, 1], [0.1, 0.3, 0.2, 0.4], threshold=0.9)
    assert metrics["precision"] == 0.0
    assert metrics["recall"] == 0.0
    assert metrics["auc"] == 1.0


@pytest.mark.parametrize(
    ("labels", "scores", "threshold", "message"),
    [
        ([1, 1, 1], [0.2, 0.5, 0.9], 0.5, "only label 1"),
        ([0, 2, 1], [0.2, 0.5, 0.9], 0.5, "must be 0 or 1"),
        ([0, 1], [0.2, 0.5, 0.9], 0.5, "one value per test row"),
        ([0, 1], [0.2, float("nan")], 0.5, "non-finite score"),
        ([0, 1], [0.2, 0.7], 1.0, "between 0 and 1"),
    ],
)
def test_bad_inputs_fail_with_a_reason(labels, scores, threshold, message):
    with pytest.raises(EvaluationError, match=message):
        binary_classification_metrics(labels, scores, threshold)


def test_report_follows_sagemakers_model_quality_layout_and_json_path_reads_it():
    metrics = {"precision": 0.5, "recall": 0.25, "f1": 1 / 3, "auc": 0.75}
    report = evaluation_report(metrics)
    for name, value in metrics.items():
        section, metric, field = report_json_path(name).split(".")
        assert report[section][metric][field] == value
        assert report[section][metric]["standard_deviation"] == "NaN"
    with pytest.raises(ValueError, match="unknown metric 'accuracy'"):
        report_json_path("accuracy")


def test_report_refuses_missing_or_non_finite_metrics():
    with pytest.raises(EvaluationError, match="missing metrics: auc"):
        evaluation_report({"precision": 1.0, "recall": 1.0, "f1": 1.0})
    with pytest.raises(EvaluationError, match="metric auc is inf"):
        evaluation_report({"precision": 1.0, "recall": 1.0, "f1": 1.0, "auc": float("inf")})
