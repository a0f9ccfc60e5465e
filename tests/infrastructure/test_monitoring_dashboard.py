"""The dashboard's layout for several use cases, one of them without monitored metrics (the example
environment has a single use case; test_monitoring_stack.py checks the deployed dashboard's contents)."""

from __future__ import annotations

import json
from dataclasses import replace

from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from mlmeta.config import get_environment
from mlmeta.config.settings import MetricAlarmSettings, UseCase
from stacks.monitoring.dashboard import MonitoringDashboard
from stacks.monitoring.event_health import EventHandling


def _body(settings) -> dict:
    stack = Stack(App(), "Probe", env={"region": settings.region})
    nothing_deployed = EventHandling(rules={}, functions={}, queues={}, queue_alarms=[])
    MonitoringDashboard(stack, "Dashboard", settings=settings, drift={}, handling=nothing_deployed)
    (dashboard,) = Template.from_stack(stack).find_resources("AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]
    parts = body["Fn::Join"][1] if isinstance(body, dict) else [body]
    return json.loads("".join(part if isinstance(part, str) else settings.region for part in parts))


def test_each_use_case_gets_its_section_in_settings_order_and_an_unmonitored_one_says_so():
    dev = get_environment("dev")
    two_steps = UseCase(
        name="fraud-detection",
        monitored_metrics=(
            MetricAlarmSettings(metric_name="auc", threshold=0.9),
            MetricAlarmSettings(metric_name="validation:auc", threshold=0.9, step="train"),
        ),
    )
    settings = replace(dev, use_cases=(*dev.use_cases, UseCase(name="demand-forecast"), two_steps))
    body = _body(settings)

    texts = [w["properties"]["markdown"] for w in body["widgets"] if w["type"] == "text"]
    headings = [text.splitlines()[0] for text in texts]
    assert headings == ["# mlmeta dev", "## churn-prediction", "## demand-forecast", "No monitored metrics: see docs/monitoring.md to add one.",
                        "## fraud-detection", "## Event handling"]  # fmt: skip
    titles = [w["properties"].get("title") for w in body["widgets"] if w["type"] == "metric"]
    assert "every evaluation metric of fraud-detection" in titles and "every train metric of fraud-detection" in titles
    assert "validation:auc (train): alarm below 0.9" in titles
    assert all(w["x"] + w["width"] <= 24 for w in body["widgets"])
    assert body["start"] == "-P7D"
