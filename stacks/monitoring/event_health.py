"""The dashboard rows of event handling (docs/events.md): are events arriving, are the handlers
succeeding, and is anything waiting for a person?

- EventBridge, per rule: ``TriggeredRules`` (events matched) and the deliveries that failed
  (``FailedInvocations``, ``InvocationsSentToDlq``). Rules on the default bus carry only ``RuleName``.
- Lambda, per handler: invocations, errors, throttles, and the longest duration (a handler creeping
  towards its timeout shows here before it fails).
- SQS, per failure queue: messages visible and the age of the oldest one, next to the queues' alarms.

One-hour periods: a week of them is 168 points a line, and the handlers run a few times an hour at most.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

HEADING = "## Event handling\nEventBridge rules, handler Lambdas, failure queues (docs/events.md)"
PERIOD = Duration.hours(1)
EVENTS_NAMESPACE = "AWS/Events"
WIDTH = 6
HEIGHT = 6
FULL_WIDTH = 24


@dataclass(frozen=True)
class EventHandling:
    """What the events stack runs, by the names a reader of the dashboard knows them by."""

    rules: Mapping[str, events.IRule]  # route name -> rule
    functions: Mapping[str, lambda_.IFunction]  # handler name -> function
    queues: Mapping[str, sqs.IQueue]  # what the queue holds -> queue
    queue_alarms: Sequence[cloudwatch.IAlarm]


def event_health_rows(handling: EventHandling) -> list[list[cloudwatch.IWidget]]:
    """Heading; the rules; the handlers; the failure queues."""
    return [
        [cloudwatch.TextWidget(markdown=HEADING, width=FULL_WIDTH, height=2)],
        [
            _graph(
                "Events matched (TriggeredRules)",
                [_rule_metric(rule, name, "TriggeredRules") for name, rule in handling.rules.items()],
            ),
            _graph(
                "Failed deliveries to handlers",
                [
                    _rule_metric(rule, f"{name} {metric}", metric)
                    for name, rule in handling.rules.items()
                    for metric in ("FailedInvocations", "InvocationsSentToDlq")
                ],
            ),
            _graph("Handler invocations", [f.metric_invocations(period=PERIOD, label=n) for n, f in handling.functions.items()]),
            _graph("Handler errors", [f.metric_errors(period=PERIOD, label=n) for n, f in handling.functions.items()]),
        ],
        [
            _graph("Handler throttles", [f.metric_throttles(period=PERIOD, label=n) for n, f in handling.functions.items()]),
            _graph(
                "Handler duration (max)",
                [f.metric_duration(period=PERIOD, statistic="Maximum", label=n) for n, f in handling.functions.items()],
            ),
            _graph(
                "Failure queues: messages waiting",
                [
                    q.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum", label=n)
                    for n, q in handling.queues.items()
                ],
            ),
            _graph(
                "Failure queues: oldest message age (s)",
                [
                    q.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum", label=n)
                    for n, q in handling.queues.items()
                ],
            ),
        ],
        [
            cloudwatch.AlarmStatusWidget(
                title="Failure queue alarms", alarms=list(handling.queue_alarms), width=FULL_WIDTH, height=3
            )
        ],
    ]


def _rule_metric(rule: events.IRule, label: str, metric_name: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=EVENTS_NAMESPACE,
        metric_name=metric_name,
        dimensions_map={"RuleName": rule.rule_name},
        statistic="Sum",
        period=PERIOD,
        label=label,
    )


def _graph(title: str, metrics: Sequence[cloudwatch.IMetric]) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(title=title, left=list(metrics), width=WIDTH, height=HEIGHT)
