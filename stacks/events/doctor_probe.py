"""The doctor's probe (docs/deploying.md, "Preflight: mlmeta doctor"): a permanent rule that sends the
doctor's probe events (mlmeta/doctor/probe_event.py) to a queue of their own, so that ``mlmeta doctor``
can prove that an event put on the default bus reaches a rule's target, without invoking any handler.

The queue is SSE-SQS (EventBridge writes to it without a key policy, as to the failure queues) and
TLS-only; its policy admits EventBridge to send messages, for this rule only (``aws:SourceArn``): CDK's
SqsQueue target would also grant sqs:GetQueueAttributes and sqs:GetQueueUrl, which EventBridge does not
use. A probe the doctor did not collect expires after ``RETENTION``. The target has the rules' dead-letter queue and retry policy,
so a probe EventBridge cannot deliver raises the delivery-failures alarm like any other event.
"""

from __future__ import annotations

import jsii
from aws_cdk import Duration, Names
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from mlmeta.doctor.probe_event import probe_pattern
from stacks.common import nag
from stacks.common.retries import DELIVERY_MAX_EVENT_AGE, DELIVERY_RETRY_ATTEMPTS
from stacks.events.rules import event_pattern

# The doctor waits 30 s for its probe; a probe nobody collected is of no use an hour later.
RETENTION = Duration.hours(1)
EVENTBRIDGE = "events.amazonaws.com"


class DoctorProbe(Construct):
    """``Queue`` and ``Rule``."""

    queue: sqs.Queue
    rule: events.Rule

    def __init__(self, scope: Construct, construct_id: str, *, environment: str, dead_letter_queue: sqs.IQueue) -> None:
        super().__init__(scope, construct_id)
        self.queue = sqs.Queue(
            self, "Queue", encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True, retention_period=RETENTION
        )
        nag.suppress(
            self.queue.node.default_child,
            "AwsSolutions-SQS3",
            "Holds only the doctor's probe events, which the doctor deletes as it reads them and which expire "
            "within the hour otherwise; a dead-letter queue would only collect stale probes.",
        )
        self.rule = events.Rule(
            self,
            "Rule",
            description=f"mlmeta doctor: probe events of {environment} to the probe queue (no handler)",
            event_pattern=event_pattern(probe_pattern(environment)),
        )
        self.rule.add_target(_SendOnlyQueueTarget(self.queue, dead_letter_queue))


def allow_rule_to_send(queue: sqs.IQueue, rule: events.IRule) -> None:
    """EventBridge may send messages to ``queue`` on behalf of ``rule`` only."""
    queue.add_to_resource_policy(
        iam.PolicyStatement(
            sid=f"AllowEventRule{Names.node_unique_id(rule.node)}",
            principals=[iam.ServicePrincipal(EVENTBRIDGE)],
            actions=["sqs:SendMessage"],
            resources=[queue.queue_arn],
            conditions={"ArnEquals": {"aws:SourceArn": rule.rule_arn}},
        )
    )


@jsii.implements(events.IRuleTarget)
class _SendOnlyQueueTarget:
    """An SQS target with the rules' dead-letter queue and retry policy; both queues admit sqs:SendMessage only."""

    def __init__(self, queue: sqs.IQueue, dead_letter_queue: sqs.IQueue) -> None:
        self._queue = queue
        self._dead_letter_queue = dead_letter_queue

    def bind(self, rule: events.IRule, id: str | None = None) -> events.RuleTargetConfig:  # noqa: A002 (jsii's name)
        allow_rule_to_send(self._queue, rule)
        allow_rule_to_send(self._dead_letter_queue, rule)
        return events.RuleTargetConfig(
            arn=self._queue.queue_arn,
            dead_letter_config=events.CfnRule.DeadLetterConfigProperty(arn=self._dead_letter_queue.queue_arn),
            retry_policy=events.CfnRule.RetryPolicyProperty(
                maximum_event_age_in_seconds=int(DELIVERY_MAX_EVENT_AGE.to_seconds()), maximum_retry_attempts=DELIVERY_RETRY_ATTEMPTS
            ),
        )
