"""The monitoring stack (stateless): drift alarms on each use case's model metrics and the environment's
dashboard (docs/monitoring.md).

It reads what the events stack runs (its notices topic, failure queues, handler functions and rules)
through weak cross-stack references, like the events stack reads the lake: nothing is exported, so
either stack can change without CloudFormation refusing to update an export in use.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from mlmeta.config import EnvironmentSettings
from stacks.events_stack import EventsStack
from stacks.monitoring.dashboard import MonitoringDashboard
from stacks.monitoring.drift_alarms import DriftAlarms
from stacks.monitoring.event_health import EventHandling
from stacks.monitoring.model_metric import ModelMetric


class MonitoringStack(Stack):
    """Stateless: alarms, anomaly-detection models and a dashboard hold no data."""

    drift: dict[str, tuple[DriftAlarms, ...]]  # use case name -> its metrics' alarms, in settings order
    dashboard: MonitoringDashboard

    def __init__(
        self, scope: Construct, construct_id: str, *, settings: EnvironmentSettings, events: EventsStack, **kwargs
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"mlmeta {settings.name}: drift alarms on model metrics, the monitoring dashboard. Stateless.",
            **kwargs,
        )
        topic = events.notices.topic
        self.drift = {}
        for use_case in settings.use_cases:
            scope_of_use_case = Construct(self, use_case.name)
            self.drift[use_case.name] = tuple(
                DriftAlarms(
                    scope_of_use_case,
                    f"{metric.step}-{metric.metric_name}",
                    metric=ModelMetric(settings.name, use_case.name, metric),
                    topic=topic,
                )
                for metric in use_case.monitored_metrics
            )
        self.dashboard = MonitoringDashboard(
            self, "Dashboard", settings=settings, drift=self.drift, handling=event_handling_of(events)
        )
        CfnOutput(
            self, "DashboardName", value=self.dashboard.dashboard.dashboard_name, description="The environment's CloudWatch dashboard"
        )


def event_handling_of(events: EventsStack) -> EventHandling:
    queues = {
        "quarantine (malformed events)": events.quarantine,
        "delivery failures (rule DLQ)": events.delivery_failures,
        "failed invocations (after retries)": events.failed_invocations,
    }
    return EventHandling(
        rules=dict(events.rules.rules),
        functions={name: handler.function for name, handler in events.functions.items()},
        queues={label: queue.queue for label, queue in queues.items()},
        queue_alarms=[queue.alarm for queue in queues.values()],
    )
