"""The monitoring stack, synthesized with the real events stack (and the lake it reads) in dev: a
threshold alarm and an anomaly alarm (with its detector) per use case and monitored metric, notifying the
events stack's notices topic; the dashboard shows each monitored metric with its threshold and band, and
the health of every rule, handler and failure queue. The app runs cdk-nag, so the synth is also the nag
check; cfn-lint and CDK's warnings are checked below.

Built here rather than from the composed app's fixture (conftest.py): the composition adds this stack
later, and a module fixture keeps it to one synth per test process."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import Environment, Stack
from aws_cdk.assertions import Annotations, Match, Template
from cfnlint.api import lint

from mlmeta.config import get_environment
from mlmeta.queries.catalog import load_queries
from stacks.events_stack import EventsStack
from stacks.lake_stack import LakeStack
from stacks.mlmeta_app import create_app
from stacks.monitoring.model_metric import ModelMetric
from stacks.monitoring.names import alarm_name, dashboard_name
from stacks.monitoring_stack import MonitoringStack

SETTINGS = get_environment("dev")
METRICS = [ModelMetric(SETTINGS.name, u.name, m) for u in SETTINGS.use_cases for m in u.monitored_metrics]


class MonitoringApp:
    def __init__(self, outdir: str) -> None:
        app = create_app(outdir=outdir)
        env = Environment(account=SETTINGS.account, region=SETTINGS.region)

        def props(component: str) -> dict[str, Any]:
            return {"stack_name": SETTINGS.stack_name(component), "env": env}

        lake = LakeStack(app, "Lake", settings=SETTINGS, queries=list(load_queries().values()), **props("lake"))
        self.events = EventsStack(app, "Events", settings=SETTINGS, lake_bucket=lake.bucket, lake_key=lake.key, **props("events"))
        self.monitoring = MonitoringStack(app, "Monitoring", settings=SETTINGS, events=self.events, **props("monitoring"))
        self.assembly = app.synth()  # fails on any unacknowledged cdk-nag finding
        self.template = Template.from_stack(self.monitoring)

    def json(self, stack: Stack) -> dict[str, Any]:
        return self.assembly.get_stack_by_name(stack.stack_name).template

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return self.template.find_resources(resource_type)

    def events_output(self, name: str) -> Any:
        return self.json(self.events)["Outputs"][name]["Value"]

    def render(self, value: Any) -> str:
        """A dashboard body part as text: weak references become what they refer to in the events stack,
        references ``<LogicalId>`` / ``<LogicalId.Attr>``."""
        if isinstance(value, str):
            return value
        ((function, argument),) = value.items()
        if function == "Fn::Join":
            return argument[0].join(self.render(part) for part in argument[1])
        if function == "Fn::GetStackOutput":
            assert argument["StackName"] == self.events.stack_name, argument
            return self.render(self.events_output(argument["OutputName"]))
        if function == "Ref":
            return SETTINGS.region if argument == "AWS::Region" else f"<{argument}>"
        if function == "Fn::GetAtt":
            return f"<{argument[0]}.{argument[1]}>"
        raise ValueError(f"cannot render {value!r}")

    def events_reference(self, token: str) -> str:
        """How a token of the events stack reads in the rendered dashboard."""
        return self.render(self.events.resolve(token))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> MonitoringApp:
    return MonitoringApp(str(tmp_path_factory.mktemp("cdk-monitoring")))


@pytest.fixture(scope="module")
def dashboard(built) -> dict[str, Any]:
    (resource,) = built.resources("AWS::CloudWatch::Dashboard").values()
    assert resource["Properties"]["DashboardName"] == dashboard_name(SETTINGS.name)
    return json.loads(built.render(resource["Properties"]["DashboardBody"]))


def _topic(built: MonitoringApp) -> list[Any]:
    """The alarm actions: the events stack's notices topic, through a weak reference (no export)."""
    return [{"Fn::GetStackOutput": {"StackName": built.events.stack_name, "Region": SETTINGS.region,
                                    "OutputName": Match.string_like_regexp("^PublishOutputRefNoticesTopic")}}]  # fmt: skip


def _dimensions(metric: ModelMetric) -> list[dict[str, str]]:
    return [{"Name": name, "Value": value} for name, value in sorted(metric.dimensions.items())]


def test_the_example_environment_monitors_something():
    assert [(m.use_case, m.settings.metric_name, m.settings.step) for m in METRICS] == [
        ("churn-prediction", "auc", "evaluation"), ("churn-prediction", "f1", "evaluation")]  # fmt: skip


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: f"{m.use_case}-{m.settings.metric_name}")
def test_a_threshold_alarm_per_metric_on_the_snapshotters_metric(built, metric):
    settings = metric.settings
    built.template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "AlarmName": alarm_name(metric, "threshold"),
            "Namespace": "mlmeta",
            "MetricName": settings.metric_name,
            "Dimensions": _dimensions(metric),
            "Statistic": "Minimum",
            "Period": 24 * 3600,
            "Threshold": settings.threshold,
            "ComparisonOperator": "LessThanThreshold",
            "EvaluationPeriods": 1,
            "DatapointsToAlarm": 1,
            "TreatMissingData": "ignore",
            "AlarmActions": _topic(built),
            "OKActions": _topic(built),
            "AlarmDescription": Match.string_like_regexp(f"{metric.use_case}'s {settings.metric_name} .*below {settings.threshold:g}"),
        },
    )


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: f"{m.use_case}-{m.settings.metric_name}")
def test_an_anomaly_alarm_per_metric_below_its_band_after_its_detector(built, metric):
    alarms = built.template.find_resources(
        "AWS::CloudWatch::Alarm", {"Properties": {"AlarmName": alarm_name(metric, "anomaly")}}
    )
    ((logical_id, alarm),) = alarms.items()
    properties = alarm["Properties"]
    expressions = {m["Id"]: m for m in properties["Metrics"] if "Expression" in m}
    stats = {m["Id"]: m["MetricStat"] for m in properties["Metrics"] if "MetricStat" in m}
    ((stat_id, stat),) = stats.items()
    assert stat == {
        "Metric": {"Namespace": "mlmeta", "MetricName": metric.settings.metric_name, "Dimensions": _dimensions(metric)},
        "Period": 24 * 3600,
        "Stat": "Minimum",
    }
    band = expressions[properties["ThresholdMetricId"]]
    assert band["Expression"] == f"ANOMALY_DETECTION_BAND({stat_id}, {metric.settings.anomaly_band:g})"
    assert (properties["ComparisonOperator"], properties["TreatMissingData"]) == ("LessThanLowerThreshold", "ignore")
    assert (properties["EvaluationPeriods"], properties["DatapointsToAlarm"]) == (1, 1)
    assert "Threshold" not in properties
    actions = {"AlarmName": alarm_name(metric, "anomaly"), "AlarmActions": _topic(built), "OKActions": _topic(built)}
    built.template.has_resource_properties("AWS::CloudWatch::Alarm", actions)

    (detector_id,) = alarm["DependsOn"]
    detector = built.resources("AWS::CloudWatch::AnomalyDetector")[detector_id]["Properties"]["SingleMetricAnomalyDetector"]
    assert (detector["Namespace"], detector["MetricName"], detector["Stat"]) == ("mlmeta", metric.settings.metric_name, "Minimum")
    assert sorted(detector["Dimensions"], key=lambda d: d["Name"]) == _dimensions(metric)


def test_no_other_alarms_or_detectors(built):
    expected = {alarm_name(m, kind) for m in METRICS for kind in ("threshold", "anomaly")}
    names = [a["Properties"]["AlarmName"] for a in built.resources("AWS::CloudWatch::Alarm").values()]
    assert sorted(names) == sorted(expected)
    assert len(built.resources("AWS::CloudWatch::AnomalyDetector")) == len(METRICS)


def _graphs(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [w["properties"] for w in dashboard["widgets"] if w["type"] == "metric"]


def _series(dashboard: dict[str, Any]) -> list[tuple[str, str, dict[str, str], dict[str, Any]]]:
    """(namespace, metric name, dimensions, options) of every plain metric in every graph."""
    found = []
    for graph in _graphs(dashboard):
        for line in graph["metrics"]:
            if isinstance(line[0], str):
                *names, options = line if isinstance(line[-1], dict) else (*line, {})
                namespace, metric_name, *pairs = names
                found.append((namespace, metric_name, dict(zip(pairs[::2], pairs[1::2], strict=True)), options))
    return found


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: f"{m.use_case}-{m.settings.metric_name}")
def test_the_dashboard_graphs_each_metric_with_its_threshold_and_band(dashboard, metric):
    settings = metric.settings
    (graph,) = [g for g in _graphs(dashboard) if g["title"].startswith(f"{settings.metric_name} ({settings.step})")]
    (line,) = [m for m in graph["metrics"] if m[:2] == ["mlmeta", settings.metric_name]]
    *names, options = line
    assert dict(zip(names[2::2], names[3::2], strict=True)) == metric.dimensions
    assert (options["stat"], options["period"]) == ("Minimum", 24 * 3600)
    (band,) = [m[0] for m in graph["metrics"] if isinstance(m[0], dict)]
    assert band["expression"] == f"ANOMALY_DETECTION_BAND({options['id']}, {settings.anomaly_band:g})"
    assert [a["value"] for a in graph["annotations"]["horizontal"]] == [settings.threshold]
    assert graph["start"] == "-P12W"


def test_the_dashboard_shows_each_use_cases_alarms_and_every_metric_of_its_steps(built, dashboard):
    alarm_widgets = [w["properties"] for w in dashboard["widgets"] if w["type"] == "alarm"]
    drift_arns = {f"<{built.monitoring.resolve(a.alarm_arn)['Fn::GetAtt'][0]}.Arn>"
                  for alarms in built.monitoring.drift["churn-prediction"] for a in alarms.alarms}  # fmt: skip
    assert len(drift_arns) == 2 * len(METRICS)
    assert any(set(w["alarms"]) == drift_arns for w in alarm_widgets)
    searches = [m[0]["expression"] for g in _graphs(dashboard) for m in g["metrics"] if "SEARCH(" in str(m[0])]
    assert searches == [
        "SEARCH('{mlmeta,environment,step,use_case} environment=\"dev\" step=\"evaluation\" use_case=\"churn-prediction\"', 'Average', 86400)"
    ]


def test_the_dashboard_shows_every_handlers_health(built, dashboard):
    series = _series(dashboard)
    for spec_name, handler in built.events.functions.items():
        function = built.events_reference(handler.function.function_name)
        shown = {(name, options.get("stat")) for ns, name, dims, options in series
                 if ns == "AWS/Lambda" and dims == {"FunctionName": function}}  # fmt: skip
        assert shown == {("Invocations", "Sum"), ("Errors", "Sum"), ("Throttles", "Sum"), ("Duration", "Maximum")}, spec_name


def test_the_dashboard_shows_every_failure_queue_and_its_alarm(built, dashboard):
    series = _series(dashboard)
    queues = (built.events.quarantine, built.events.delivery_failures, built.events.failed_invocations)
    for queue in queues:
        name = built.events_reference(queue.queue.queue_name)
        shown = {metric for ns, metric, dims, _ in series if ns == "AWS/SQS" and dims == {"QueueName": name}}
        assert shown == {"ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"}, name
    alarm_widgets = [w["properties"] for w in dashboard["widgets"] if w["type"] == "alarm"]
    queue_alarms = {built.events_reference(queue.alarm.alarm_arn) for queue in queues}
    assert any(set(w["alarms"]) == queue_alarms for w in alarm_widgets)


def test_the_dashboard_shows_every_rules_matches_and_failed_deliveries(built, dashboard):
    series = _series(dashboard)
    assert built.events.rules.rules
    for route, rule in built.events.rules.rules.items():
        name = built.events_reference(rule.rule_name)
        shown = {metric for ns, metric, dims, _ in series if ns == "AWS/Events" and dims == {"RuleName": name}}
        assert shown == {"TriggeredRules", "FailedInvocations", "InvocationsSentToDlq"}, route


def test_the_dashboard_layout_fits_24_columns_without_overlap(dashboard):
    cells = set()
    for widget in dashboard["widgets"]:
        assert widget["x"] + widget["width"] <= 24, widget
        columns, rows = range(widget["x"], widget["x"] + widget["width"]), range(widget["y"], widget["y"] + widget["height"])
        area = {(x, y) for x in columns for y in rows}
        assert not cells & area, widget
        cells |= area
    # Model metrics first, event handling after them.
    texts = [w["properties"]["markdown"].splitlines()[0] for w in dashboard["widgets"] if w["type"] == "text"]
    assert texts == ["# mlmeta dev", "## churn-prediction", "## Event handling"]


def test_the_stack_deploys_after_the_events_stack_and_reads_it_without_exports(built):
    artifact = built.assembly.get_stack_by_name(built.monitoring.stack_name)
    assert built.events.artifact_id in {d.id for d in artifact.dependencies}
    assert "Fn::ImportValue" not in json.dumps(built.json(built.monitoring))
    (dashboard_id,) = built.resources("AWS::CloudWatch::Dashboard")
    assert built.json(built.monitoring)["Outputs"]["DashboardName"]["Value"] == {"Ref": dashboard_id}


def test_no_cdk_warnings_and_cfn_lint_clean(built):
    annotations = Annotations.from_stack(built.monitoring)
    assert annotations.find_warning("*", Match.any_value()) == []
    assert annotations.find_error("*", Match.any_value()) == []
    for stack in (built.monitoring, built.events):
        matches = lint(json.dumps(built.json(stack)), regions=[SETTINGS.region])
        assert [f"{m.rule.id} {m.message}" for m in matches] == []


def test_no_cdk_nag_acknowledgements_are_needed(built):
    template = json.dumps(built.json(built.monitoring))
    assert "rules_to_suppress" not in template
