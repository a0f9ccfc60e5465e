"""DriftAlarms for settings the example environment does not use: a lower-is-better metric alarms above
its threshold and band on its worst (largest) value; a metric without an anomaly band gets no detector."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from mlmeta.config.settings import MetricAlarmSettings
from stacks.monitoring.drift_alarms import DriftAlarms
from stacks.monitoring.model_metric import ModelMetric


def _template(settings: MetricAlarmSettings) -> dict:
    stack = Stack(App(), "Probe")
    metric = ModelMetric("stg", "fraud-detection", settings)
    DriftAlarms(stack, "Drift", metric=metric, topic=sns.Topic(stack, "Topic"))
    return Template.from_stack(stack).to_json()["Resources"]


def _by_type(resources: dict, resource_type: str) -> list[dict]:
    return [r for r in resources.values() if r["Type"] == resource_type]


def test_a_lower_is_better_metric_alarms_on_its_largest_value_above_threshold_and_band():
    settings = MetricAlarmSettings(metric_name="log_loss", threshold=0.45, direction="lower-is-better", anomaly_band=3,
                                   period_hours=168, evaluation_periods=1)  # fmt: skip
    resources = _template(settings)
    by_kind = {r["Properties"]["AlarmName"].rsplit("-", 1)[1]: r["Properties"] for r in _by_type(resources, "AWS::CloudWatch::Alarm")}

    threshold, anomaly = by_kind["threshold"], by_kind["anomaly"]
    assert (threshold["ComparisonOperator"], threshold["Statistic"], threshold["Threshold"], threshold["Period"]) == (
        "GreaterThanThreshold", "Maximum", 0.45, 168 * 3600)  # fmt: skip
    assert anomaly["ComparisonOperator"] == "GreaterThanUpperThreshold"
    assert [m["MetricStat"]["Stat"] for m in anomaly["Metrics"] if "MetricStat" in m] == ["Maximum"]
    assert [m["Expression"] for m in anomaly["Metrics"] if "Expression" in m][0].endswith(", 3)")
    (detector,) = _by_type(resources, "AWS::CloudWatch::AnomalyDetector")
    assert detector["Properties"]["SingleMetricAnomalyDetector"]["Stat"] == "Maximum"
    assert "above 0.45" in threshold["AlarmDescription"] and "upper side" in anomaly["AlarmDescription"]


def test_without_an_anomaly_band_there_is_only_the_threshold_alarm():
    resources = _template(MetricAlarmSettings(metric_name="recall", threshold=0.5, anomaly_band=None))
    (alarm,) = _by_type(resources, "AWS::CloudWatch::Alarm")
    assert alarm["Properties"]["AlarmName"] == "mlmeta-stg-fraud-detection-evaluation-recall-threshold"
    assert _by_type(resources, "AWS::CloudWatch::AnomalyDetector") == []


@pytest.mark.parametrize(("evaluation_periods", "datapoints"), [(3, 2), (7, 7)])
def test_m_out_of_n_comes_from_the_settings(evaluation_periods, datapoints):
    settings = MetricAlarmSettings(metric_name="auc", threshold=0.8, evaluation_periods=evaluation_periods, datapoints_to_alarm=datapoints)
    for alarm in _by_type(_template(settings), "AWS::CloudWatch::Alarm"):
        properties = alarm["Properties"]
        assert (properties["EvaluationPeriods"], properties["DatapointsToAlarm"], properties["TreatMissingData"]) == (
            evaluation_periods, datapoints, "ignore")  # fmt: skip
