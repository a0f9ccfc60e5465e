"""The two drift alarms of one model metric, both notifying the notices topic on ALARM and on OK.

- ``Threshold``: the worst value of a period is on the wrong side of the use case's fixed threshold
  (``auc < 0.8``): the floor the team has agreed a model must not fall below.
- ``Anomaly``: the value leaves CloudWatch's anomaly-detection band on the bad side: a change against the
  metric's own history, even above the floor (an auc that always was 0.91 and is now 0.84). Its model
  (``Detector``) is a resource of this stack, so it is created before the alarm and deleted with it,
  instead of CloudWatch creating one implicitly that nothing owns.

Missing data is **ignored**: a pipeline publishes one value a run, daily or weekly, so most periods have
no data. ``ignore`` keeps the alarm in its last state until the next run: a bad model stays in ALARM
until a run with a good value (which sends OK), and a quiet week neither alarms nor "recovers".
"""

from __future__ import annotations

from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.monitoring.model_metric import NAMESPACE, ModelMetric
from stacks.monitoring.names import AlarmKind, alarm_name

TREAT_MISSING_DATA = cloudwatch.TreatMissingData.IGNORE


class DriftAlarms(Construct):
    """``Threshold`` (an Alarm), and unless the metric's ``anomaly_band`` is None, ``Detector`` (an
    AnomalyDetector) and ``Anomaly`` (an alarm on its band)."""

    threshold_alarm: cloudwatch.Alarm
    anomaly_alarm: cloudwatch.AnomalyDetectionAlarm | None
    detector: cloudwatch.CfnAnomalyDetector | None

    def __init__(self, scope: Construct, construct_id: str, *, metric: ModelMetric, topic: sns.ITopic) -> None:
        super().__init__(scope, construct_id)
        settings = metric.settings
        evaluation = {
            "evaluation_periods": settings.evaluation_periods,
            "datapoints_to_alarm": settings.datapoints_to_alarm,
            "treat_missing_data": TREAT_MISSING_DATA,
        }
        self.threshold_alarm = cloudwatch.Alarm(
            self,
            "Threshold",
            alarm_name=alarm_name(metric, "threshold"),
            alarm_description=_description(metric, "threshold", f"was {metric.breach}"),
            metric=metric.metric(),
            threshold=settings.threshold,
            comparison_operator=metric.threshold_comparison,
            **evaluation,
        )
        self.detector = self.anomaly_alarm = None
        if settings.anomaly_band is not None:
            self.detector = cloudwatch.CfnAnomalyDetector(
                self,
                "Detector",
                single_metric_anomaly_detector=cloudwatch.CfnAnomalyDetector.SingleMetricAnomalyDetectorProperty(
                    namespace=NAMESPACE,
                    metric_name=settings.metric_name,
                    dimensions=[
                        cloudwatch.CfnAnomalyDetector.DimensionProperty(name=name, value=value)
                        for name, value in metric.dimensions.items()
                    ],
                    stat=metric.statistic,
                ),
            )
            side = "lower" if metric.higher_is_better else "upper"
            self.anomaly_alarm = cloudwatch.AnomalyDetectionAlarm(
                self,
                "Anomaly",
                alarm_name=alarm_name(metric, "anomaly"),
                alarm_description=_description(
                    metric, "anomaly", f"left the {side} side of its expected band ({settings.anomaly_band:g} standard deviations)"
                ),
                metric=metric.metric(),
                std_devs=settings.anomaly_band,
                comparison_operator=metric.anomaly_comparison,
                **evaluation,
            )
            # With the model in place first, CloudWatch does not create an unmanaged one for the alarm.
            self.anomaly_alarm.node.add_dependency(self.detector)
        for alarm in (self.threshold_alarm, self.anomaly_alarm):
            if alarm is not None:
                alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
                # A run with a good value again is news too: it closes the incident.
                alarm.add_ok_action(cloudwatch_actions.SnsAction(topic))

    @property
    def alarms(self) -> tuple[cloudwatch.Alarm | cloudwatch.AnomalyDetectionAlarm, ...]:
        return tuple(alarm for alarm in (self.threshold_alarm, self.anomaly_alarm) if alarm is not None)


def _description(metric: ModelMetric, kind: AlarmKind, what: str) -> str:
    settings = metric.settings
    return (
        f"mlmeta {metric.environment}, {kind} alarm: {metric.use_case}'s {settings.metric_name} (step {settings.step}) "
        f"{what}: worst run of {settings.period_hours} h. Every run's value is in the lake "
        f"(mlmeta query metric_history); see docs/monitoring.md, 'When a drift alarm fires'."
    )
