"""A queue where events end up that need a person, and the alarm that calls one.

Three of them in the events stack: the rule targets' dead-letter queue, the functions' on-failure
destination and the quarantine of malformed events. Each is encrypted with SSE-SQS (SQS-managed keys):
EventBridge can write to it without any key policy. A customer-managed key would need a key policy for
``events.amazonaws.com``, and with the AWS-managed ``alias/aws/sqs`` key EventBridge cannot deliver at
all (its policy cannot admit EventBridge), so events would be lost exactly when they failed. TLS is
enforced by the queue policy. Messages are kept 14 days, SQS's maximum: that is how long someone
has to act on an alarm.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.common import nag

RETENTION = Duration.days(14)
# SQS publishes its metrics every minute; five-minute windows smooth nothing away when the threshold is 0.
ALARM_PERIOD = Duration.minutes(5)


class AlarmedQueue(Construct):
    """``Queue`` (SSE-SQS, TLS only, 14 days) and ``NotEmpty``: an alarm as soon as one message is visible."""

    queue: sqs.Queue
    alarm: cloudwatch.Alarm

    def __init__(self, scope: Construct, construct_id: str, *, holds: str, topic: sns.ITopic) -> None:
        super().__init__(scope, construct_id)
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=RETENTION,
        )
        nag.suppress(
            self.queue.node.default_child,
            "AwsSolutions-SQS3",
            f"This queue is itself the end of the line ({holds}); nothing consumes it automatically, so a "
            "dead-letter queue behind it would only move messages out of its alarm's sight.",
        )
        self.alarm = cloudwatch.Alarm(
            self,
            "NotEmpty",
            alarm_description=f"mlmeta: {holds} waiting in the queue; see docs/events.md, 'When an alarm fires'",
            metric=self.queue.metric_approximate_number_of_messages_visible(period=ALARM_PERIOD, statistic="Maximum"),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            # An idle queue publishes no data points: that is the good state, not an unknown one.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
