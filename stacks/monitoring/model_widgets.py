"""The dashboard rows of one use case: each monitored metric over time, with its threshold and expected
band; the state of its drift alarms; and every metric its monitored steps log.

Model metrics arrive once a run, so these graphs show 12 weeks (``HISTORY``) regardless of the dashboard's
own time range, which suits the event-handling graphs below them.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_cloudwatch as cloudwatch

from mlmeta.config.settings import UseCase
from stacks.monitoring.drift_alarms import DriftAlarms
from stacks.monitoring.model_metric import DIMENSION_ENVIRONMENT, DIMENSION_STEP, DIMENSION_USE_CASE, NAMESPACE, ModelMetric

HISTORY = "-P12W"
GRAPH_WIDTH = 6
GRAPH_HEIGHT = 6
FULL_WIDTH = 24
THRESHOLD_COLOR = "#d62728"
NOTHING_MONITORED = "No monitored metrics: see docs/monitoring.md to add one."


def use_case_rows(environment: str, use_case: UseCase, drift: Sequence[DriftAlarms]) -> list[list[cloudwatch.IWidget]]:
    """Heading; a graph per monitored metric; the alarms' states and each monitored step's metrics."""
    heading = f"## {use_case.name}\n{use_case.description}" if use_case.description else f"## {use_case.name}"
    rows: list[list[cloudwatch.IWidget]] = [[cloudwatch.TextWidget(markdown=heading, width=FULL_WIDTH, height=2)]]
    if not use_case.monitored_metrics:
        rows.append([cloudwatch.TextWidget(markdown=NOTHING_MONITORED, width=FULL_WIDTH, height=1)])
        return rows
    metrics = [ModelMetric(environment, use_case.name, settings) for settings in use_case.monitored_metrics]
    rows.append([metric_graph(metric) for metric in metrics])
    alarms = [alarm for alarms in drift for alarm in alarms.alarms]
    steps = sorted({metric.settings.step for metric in metrics})
    # The steps' graphs share the rest of the row.
    step_width = max(GRAPH_WIDTH, (FULL_WIDTH - GRAPH_WIDTH) // len(steps))
    rows.append(
        [
            cloudwatch.AlarmStatusWidget(
                title=f"{use_case.name}: drift alarms", alarms=alarms, width=GRAPH_WIDTH, height=GRAPH_HEIGHT
            ),
            *(step_graph(environment, use_case.name, step, width=step_width) for step in steps),
        ]
    )
    return rows


def metric_graph(metric: ModelMetric) -> cloudwatch.GraphWidget:
    """The metric (worst run of each period), its anomaly band if it has one, its threshold as a line."""
    settings = metric.settings
    band = metric.anomaly_band()
    return cloudwatch.GraphWidget(
        title=f"{settings.metric_name} ({settings.step}): alarm {metric.breach}",
        left=[metric.metric()] if band is None else [metric.metric(), band],
        left_annotations=[
            cloudwatch.HorizontalAnnotation(
                value=settings.threshold,
                label=f"threshold {settings.threshold:g}",
                color=THRESHOLD_COLOR,
                fill=cloudwatch.Shading.BELOW if metric.higher_is_better else cloudwatch.Shading.ABOVE,
            )
        ],
        start=HISTORY,
        width=GRAPH_WIDTH,
        height=GRAPH_HEIGHT,
    )


def step_graph(environment: str, use_case: str, step: str, *, width: int) -> cloudwatch.GraphWidget:
    """Every metric the step logs, monitored or not (precision, recall, ...): a search, so a metric the
    pipeline starts logging appears without a deploy. CloudWatch search finds metrics with data in the
    last two weeks only."""
    dimensions = {DIMENSION_USE_CASE: use_case, DIMENSION_ENVIRONMENT: environment, DIMENSION_STEP: step}
    schema = ",".join([NAMESPACE, *sorted(dimensions)])
    terms = " ".join(f'{name}="{value}"' for name, value in sorted(dimensions.items()))
    day = 24 * 3600
    return cloudwatch.GraphWidget(
        title=f"every {step} metric of {use_case}",
        left=[cloudwatch.SearchExpression(expression=f"SEARCH('{{{schema}}} {terms}', 'Average', {day})", label="")],
        start=HISTORY,
        width=width,
        height=GRAPH_HEIGHT,
    )
