"""The environment's CloudWatch dashboard, ``mlmeta-{env}`` (stacks/monitoring/names.py): first each use
case's model metrics (stacks/monitoring/model_widgets.py), then event handling
(stacks/monitoring/event_health.py). Its default time range is a week, for the event-handling graphs;
the model graphs show 12 weeks on their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from mlmeta.config import EnvironmentSettings
from stacks.monitoring.drift_alarms import DriftAlarms
from stacks.monitoring.event_health import EventHandling, event_health_rows
from stacks.monitoring.model_widgets import FULL_WIDTH, use_case_rows
from stacks.monitoring.names import dashboard_name

DEFAULT_INTERVAL = Duration.days(7)


class MonitoringDashboard(Construct):
    """``Dashboard``: one per environment."""

    dashboard: cloudwatch.Dashboard

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: EnvironmentSettings,
        drift: Mapping[str, Sequence[DriftAlarms]],
        handling: EventHandling,
    ) -> None:
        super().__init__(scope, construct_id)
        intro = (
            f"# mlmeta {settings.name}\nModel metrics of each use case as the snapshotter publishes them "
            "(namespace `mlmeta`), with their drift alarms; then event handling. Alarms notify the notices topic. "
            "See docs/monitoring.md."
        )
        rows: list[list[cloudwatch.IWidget]] = [[cloudwatch.TextWidget(markdown=intro, width=FULL_WIDTH, height=2)]]
        for use_case in settings.use_cases:
            rows += use_case_rows(settings.name, use_case, drift.get(use_case.name, ()))
        rows += event_health_rows(handling)
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=dashboard_name(settings.name),
            default_interval=DEFAULT_INTERVAL,
            widgets=rows,
        )
