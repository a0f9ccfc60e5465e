"""The EventBridge rules of ``mlmeta.events.routes``: one rule per route on the default event bus, its
handler as the target.

Every target has the dead-letter queue and an explicit retry policy. EventBridge retries a delivery
that failed (throttled Invoke, a function being updated) with backoff for ``DELIVERY_MAX_EVENT_AGE`` up to
``DELIVERY_RETRY_ATTEMPTS`` times (``stacks.common.retries``: the service's maxima); what
still cannot be delivered, or cannot be delivered at all (a missing permission), goes to the DLQ with
the error in its message attributes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from mlmeta.events.routes import Route
from stacks.common.retries import DELIVERY_MAX_EVENT_AGE, DELIVERY_RETRY_ATTEMPTS

# EventPattern's fields, by the names they have in an event.
_PATTERN_FIELDS = {
    "version": "version",
    "id": "id",
    "detail-type": "detail_type",
    "source": "source",
    "account": "account",
    "time": "time",
    "region": "region",
    "resources": "resources",
    "detail": "detail",
}


def event_pattern(pattern: Mapping[str, Any]) -> events.EventPattern:
    """A route's pattern as CDK's EventPattern, rendered unchanged into the template."""
    unknown = set(pattern) - set(_PATTERN_FIELDS)
    if unknown:
        raise ValueError(f"event pattern fields {sorted(unknown)} are not top-level fields of an EventBridge event")
    return events.EventPattern(**{_PATTERN_FIELDS[key]: value for key, value in pattern.items()})


class EventRules(Construct):
    """``rules``: the rule of each route, by route name."""

    rules: dict[str, events.Rule]

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        routes: Sequence[Route],
        functions: Mapping[str, lambda_.IFunction],
        dead_letter_queue: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        self.rules = {}
        for route in routes:
            rule = events.Rule(
                self,
                route.name,
                description=route.description,
                event_pattern=event_pattern(route.pattern) if route.pattern is not None else None,
                schedule=events.Schedule.expression(route.schedule) if route.schedule is not None else None,
            )
            rule.add_target(
                targets.LambdaFunction(
                    functions[route.handler.name],
                    dead_letter_queue=dead_letter_queue,
                    max_event_age=DELIVERY_MAX_EVENT_AGE,
                    retry_attempts=DELIVERY_RETRY_ATTEMPTS,
                )
            )
            self.rules[route.name] = rule
