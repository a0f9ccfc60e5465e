"""The drift alarms watch exactly the CloudWatch metric the snapshotter publishes: same namespace, name and
dimension set (CloudWatch matches a metric only on all of them), and the step dimension the snapshotter
derives from the component the evaluate step records. Also: which way each direction alarms, and names."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from aws_cdk import aws_cloudwatch as cloudwatch

from mlmeta.config import get_environment
from mlmeta.config.environments import EXAMPLE_USE_CASE
from mlmeta.config.settings import MetricAlarmSettings
from mlmeta.events.handlers import SNAPSHOTTER, EventResources, handler_environment
from mlmeta_contract.handlers import METRICS_NAMESPACE
from mlmeta_contract.naming import DEFAULT_CONVENTION, new
from mlmeta_runtime.pipelines import identify_execution
from pipelines.common.tracking import DEFAULT_STEP
from snapshotter.snapshot import FinishedExecution, TrialComponents, emit_metrics, step_resolver
from stacks.monitoring.model_metric import ModelMetric
from stacks.monitoring.names import alarm_name, dashboard_name

EXECUTION_ID = "p4jn9xou8a8s"
EXECUTION_ARN = f"arn:aws:sagemaker:ap-northeast-1:123456789012:pipeline/churn-prediction-dev/execution/{EXECUTION_ID}"
LOGGED = {"precision": 0.71, "recall": 0.64, "f1": 0.673, "auc": 0.88}


def _published_by_the_snapshotter(capsys) -> list[dict]:
    """The EMF documents the snapshotter writes for an evaluate step that logged LOGGED, as deployed in dev."""
    end = (datetime.now(timezone.utc) - timedelta(hours=1)).replace(microsecond=0)
    pipeline = identify_execution(EXECUTION_ARN, convention=DEFAULT_CONVENTION, environment="dev")
    # The component exactly as the evaluate step names it (pipelines/common/tracking.py).
    component = {"TrialComponentName": new("analysis-component", use_case=pipeline.use_case, env="dev",
                                           execution_id=EXECUTION_ID, step=DEFAULT_STEP), "Tags": []}  # fmt: skip
    trial = TrialComponents(pipeline.analysis_trial, "analysis", (component,))
    step = step_resolver([trial], pipeline, DEFAULT_CONVENTION, lambda arn: {})(trial, component)
    records = [
        {"use_case": pipeline.use_case, "environment": pipeline.environment, "step_name": step, "metric_name": name, "metric_value": value}
        for name, value in LOGGED.items()
    ]
    lambda_environment = handler_environment(SNAPSHOTTER, get_environment("dev"), EventResources("lake", "queue-url", "topic-arn"))
    capsys.readouterr()
    emit_metrics(records, FinishedExecution(pipeline, "Succeeded", None, end), namespace=lambda_environment[METRICS_NAMESPACE], now=end)
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]


def test_each_monitored_metric_is_what_the_snapshotter_publishes(capsys):
    published = {}
    for document in _published_by_the_snapshotter(capsys):
        (directive,) = document["_aws"]["CloudWatchMetrics"]
        (dimension_names,) = directive["Dimensions"]
        dimensions = {name: document[name] for name in dimension_names}
        for metric in directive["Metrics"]:
            published[(directive["Namespace"], metric["Name"], json.dumps(dimensions, sort_keys=True))] = document[metric["Name"]]
    for settings in EXAMPLE_USE_CASE.monitored_metrics:
        watched = ModelMetric("dev", EXAMPLE_USE_CASE.name, settings).metric()
        key = (watched.namespace, watched.metric_name, json.dumps(watched.dimensions, sort_keys=True))
        assert published.get(key) == [LOGGED[settings.metric_name]], (key, sorted(published))


@pytest.mark.parametrize(
    ("direction", "statistic", "static", "anomaly", "breach"),
    [
        ("higher-is-better", "Minimum", cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
         cloudwatch.ComparisonOperator.LESS_THAN_LOWER_THRESHOLD, "below 0.8"),
        ("lower-is-better", "Maximum", cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
         cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD, "above 0.8"),
    ],
)  # fmt: skip
def test_the_direction_decides_the_worst_value_and_the_comparisons(direction, statistic, static, anomaly, breach):
    metric = ModelMetric("prod", "churn-prediction", MetricAlarmSettings(metric_name="log_loss", threshold=0.8, direction=direction))
    assert (metric.statistic, metric.threshold_comparison, metric.anomaly_comparison, metric.breach) == (statistic, static, anomaly, breach)
    assert metric.metric().statistic == statistic


def test_the_anomaly_band_has_the_configured_width_and_the_alarm_period():
    settings = MetricAlarmSettings(metric_name="auc", threshold=0.8, anomaly_band=2.5, period_hours=12)
    band = ModelMetric("dev", "churn-prediction", settings).anomaly_band()
    assert band is not None and band.expression.startswith("ANOMALY_DETECTION_BAND(") and band.expression.endswith(", 2.5)")
    assert band.period.to_seconds() == 12 * 3600
    assert ModelMetric("dev", "churn-prediction", replace(settings, anomaly_band=None)).anomaly_band() is None


def test_names_say_environment_use_case_step_metric_and_kind():
    metric = ModelMetric("prod", "churn-prediction", MetricAlarmSettings(metric_name="validation:auc", threshold=0.8, step="train"))
    assert alarm_name(metric, "threshold") == "mlmeta-prod-churn-prediction-train-validation:auc-threshold"
    assert alarm_name(metric, "anomaly") == "mlmeta-prod-churn-prediction-train-validation:auc-anomaly"
    assert dashboard_name("prod") == "mlmeta-prod"


def test_an_alarm_name_cloudwatch_would_refuse_fails_at_synth():
    metric = ModelMetric("dev", "u" * 120, MetricAlarmSettings(metric_name="m" * 255, threshold=1.0))
    with pytest.raises(ValueError, match=r"is 408 characters; CloudWatch allows 255"):
        alarm_name(metric, "threshold")
