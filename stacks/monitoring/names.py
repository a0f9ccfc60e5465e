"""Names of the monitoring stack's alarms and dashboard: written by convention, not generated.

A notice's subject is the alarm's name (``ALARM: "mlmeta-prod-churn-prediction-evaluation-auc-threshold"
in Asia Pacific (Tokyo)``), so the name alone must say which environment, use case, step and metric
drifted; a CloudFormation-generated name (stack name + logical ID + hash) would not. The environment in
every name keeps dev, stg and prod apart when they share an account and region. Alarms and dashboards hold
no data, so the replacement a renamed one costs is harmless.
"""

from __future__ import annotations

from typing import Literal

from mlmeta_contract.resources import resource_name
from stacks.monitoring.model_metric import ModelMetric

AlarmKind = Literal["threshold", "anomaly"]
ALARM_NAME_LIMIT = 255


def alarm_name(metric: ModelMetric, kind: AlarmKind) -> str:
    """``mlmeta-{env}-{use case}-{step}-{metric}-{threshold|anomaly}``."""
    name = resource_name(metric.environment, metric.use_case, metric.settings.step, metric.settings.metric_name, kind)
    if len(name) > ALARM_NAME_LIMIT:
        raise ValueError(f"alarm name {name[:60]}... is {len(name)} characters; CloudWatch allows {ALARM_NAME_LIMIT}")
    return name


def dashboard_name(environment: str) -> str:
    """``mlmeta-{env}``: one dashboard per environment, found by the name its workgroup has too."""
    return resource_name(environment)
