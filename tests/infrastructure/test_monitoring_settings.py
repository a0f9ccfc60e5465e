"""Monitored-metric settings: bad values fail at once with one line naming the metric, and the example
use case watches metrics that the pipeline's evaluate step really logs, at the step it logs them in."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from mlmeta.config import ENVIRONMENTS
from mlmeta.config.environments import EXAMPLE_USE_CASE
from mlmeta.config.settings import MetricAlarmSettings, UseCase
from pipelines.common.classification import binary_classification_metrics
from pipelines.common.tracking import DEFAULT_STEP

AUC = MetricAlarmSettings(metric_name="auc", threshold=0.8)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"metric_name": ""}, "1 to 255 characters"),
        ({"metric_name": "m" * 256}, "1 to 255 characters"),
        ({"step": ""}, "step must name the pipeline step"),
        ({"direction": "up"}, "direction must be higher-is-better or lower-is-better, not 'up'"),
        ({"threshold": float("nan")}, "threshold must be a finite number"),
        ({"anomaly_band": 0.0}, "anomaly_band must be a positive number"),
        ({"anomaly_band": float("inf")}, "anomaly_band must be a positive number"),
        ({"period_hours": 0}, "period_hours must be 1 to 168"),
        ({"period_hours": 169}, "period_hours must be 1 to 168"),
        ({"evaluation_periods": 8}, r"period_hours x evaluation_periods must be 1 to 168 hours"),
        ({"evaluation_periods": 0}, r"period_hours x evaluation_periods must be 1 to 168 hours"),
        ({"evaluation_periods": 3, "datapoints_to_alarm": 4}, r"datapoints_to_alarm must be 1 to evaluation_periods \(3\)"),
        ({"datapoints_to_alarm": 0}, "datapoints_to_alarm must be 1 to evaluation_periods"),
    ],
)
def test_a_bad_setting_fails_with_one_line_naming_the_metric(change, message):
    with pytest.raises(ValueError, match=message) as raised:
        replace(AUC, **change)
    assert "\n" not in str(raised.value) and str(raised.value).startswith("monitored metric ")


def test_the_longest_window_cloudwatch_allows_is_accepted():
    weekly = replace(AUC, period_hours=24, evaluation_periods=7, datapoints_to_alarm=2)
    assert (weekly.period_hours * weekly.evaluation_periods, weekly.datapoints_to_alarm) == (168, 2)
    assert replace(AUC, anomaly_band=None).anomaly_band is None


def test_a_metric_monitored_twice_in_one_step_is_refused_but_another_step_is_not():
    with pytest.raises(ValueError, match=r"use case x: metrics monitored twice: auc \(step evaluation\)"):
        UseCase(name="x", monitored_metrics=(AUC, replace(AUC, threshold=0.7)))
    both = UseCase(name="x", monitored_metrics=(AUC, replace(AUC, step="train")))
    assert [(m.metric_name, m.step) for m in both.monitored_metrics] == [("auc", "evaluation"), ("auc", "train")]


def test_the_example_use_case_watches_metrics_the_evaluate_step_logs():
    logged = binary_classification_metrics(np.array([0.0, 1.0, 1.0, 0.0]), np.array([0.2, 0.9, 0.4, 0.6]), 0.5)
    monitored = EXAMPLE_USE_CASE.monitored_metrics
    assert monitored, "the example use case should show what monitoring looks like"
    assert {m.metric_name for m in monitored} <= set(logged)
    # The evaluate step records trial 1.2's component as {trial}-<DEFAULT_STEP>; the snapshotter takes the
    # step dimension from that name (test_monitoring_model_metric.py follows it through).
    assert {m.step for m in monitored} == {DEFAULT_STEP}
    assert all(m.direction == "higher-is-better" for m in monitored)


def test_every_environment_monitors_the_example_use_case():
    for settings in ENVIRONMENTS.values():
        assert [use_case.monitored_metrics for use_case in settings.use_cases] == [EXAMPLE_USE_CASE.monitored_metrics]
