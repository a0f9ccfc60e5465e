"""A use case's model metric as CloudWatch holds it, and which way it gets worse.

The snapshotter publishes every metric a pipeline logs as an EMF data point (docs/handlers.md): namespace
``mlmeta`` (the handlers' ``POWERTOOLS_METRICS_NAMESPACE``), metric name = the logged name, dimensions
exactly ``use_case``, ``environment`` and ``step``, timestamped at the execution's end. An alarm or a graph
must name all three dimensions: CloudWatch matches a metric only on its full dimension set.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch

from mlmeta.config.settings import MetricAlarmSettings
from mlmeta_contract.handlers import METRICS_NAMESPACE_VALUE

NAMESPACE = METRICS_NAMESPACE_VALUE
DIMENSION_USE_CASE = "use_case"
DIMENSION_ENVIRONMENT = "environment"
DIMENSION_STEP = "step"


@dataclass(frozen=True)
class ModelMetric:
    """``settings.metric_name`` of ``use_case``'s step ``settings.step`` in ``environment``."""

    environment: str
    use_case: str
    settings: MetricAlarmSettings

    @property
    def higher_is_better(self) -> bool:
        return self.settings.direction == "higher-is-better"

    @property
    def statistic(self) -> str:
        # The worst run of the period: with two runs in a day, one bad model is not averaged away.
        return "Minimum" if self.higher_is_better else "Maximum"

    @property
    def period(self) -> Duration:
        return Duration.hours(self.settings.period_hours)

    @property
    def dimensions(self) -> dict[str, str]:
        return {
            DIMENSION_USE_CASE: self.use_case,
            DIMENSION_ENVIRONMENT: self.environment,
            DIMENSION_STEP: self.settings.step,
        }

    @property
    def threshold_comparison(self) -> cloudwatch.ComparisonOperator:
        return (
            cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
            if self.higher_is_better
            else cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
        )

    @property
    def anomaly_comparison(self) -> cloudwatch.ComparisonOperator:
        # Only a change for the worse is drift worth a notice; a better model is not an incident.
        return (
            cloudwatch.ComparisonOperator.LESS_THAN_LOWER_THRESHOLD
            if self.higher_is_better
            else cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD
        )

    @property
    def breach(self) -> str:
        """How a bad value is described: ``below 0.8``."""
        return f"{'below' if self.higher_is_better else 'above'} {self.settings.threshold:g}"

    def metric(self) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=NAMESPACE,
            metric_name=self.settings.metric_name,
            dimensions_map=self.dimensions,
            statistic=self.statistic,
            period=self.period,
        )

    def anomaly_band(self) -> cloudwatch.MathExpression | None:
        """``ANOMALY_DETECTION_BAND(metric, width)``, or None when the metric has no anomaly alarm."""
        if self.settings.anomaly_band is None:
            return None
        return cloudwatch.Metric.anomaly_detection_for(
            metric=self.metric(),
            std_devs=self.settings.anomaly_band,
            period=self.period,
            label=f"expected {self.settings.metric_name} ({self.settings.anomaly_band:g} std devs)",
        )
