"""The notices topic: naming-violation notices from the handlers and every alarm of the events stack.

Encrypted with its own customer-managed key rather than SNS's AWS-managed ``alias/aws/sns``: CloudWatch
alarms publish to an encrypted topic only if the key's policy lets ``cloudwatch.amazonaws.com`` use it,
and the policy of an AWS-managed key cannot be changed, so alarm notifications to such a topic are
silently dropped. TLS is enforced by the topic policy.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from mlmeta.config.settings import notice_protocol

CLOUDWATCH = "cloudwatch.amazonaws.com"
# The key only encrypts messages in flight (SNS keeps none), so nothing is lost with it: a short wait suffices.
KEY_DELETION_WINDOW = Duration.days(7)


class NoticesTopic(Construct):
    """``Key`` (rotated) and ``Topic`` (SSE-KMS with it, TLS only), usable by CloudWatch alarms."""

    topic: sns.Topic
    key: kms.Key

    def __init__(self, scope: Construct, construct_id: str, *, environment: str, subscribers: tuple[str, ...] = ()) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
            description=f"Encrypts the mlmeta {environment} notices topic (naming violations, alarms).",
            alias=f"alias/mlmeta-{environment}-notices",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY,
            pending_window=KEY_DELETION_WINDOW,
        )
        # AWS's documented statement for alarms that notify an encrypted topic.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsUseTheKey",
                principals=[iam.ServicePrincipal(CLOUDWATCH)],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
            )
        )
        self.topic = sns.Topic(
            self,
            "Topic",
            display_name=f"mlmeta {environment} notices",
            master_key=self.key,
            enforce_ssl=True,
        )
        # A topic policy replaces SNS's default one, so the alarms of this account are admitted explicitly.
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal(CLOUDWATCH)],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:*"},
                },
            )
        )
        # The environment's subscribers (EnvironmentSettings.notice_subscribers), checked at synth.
        for subscriber in subscribers:
            if notice_protocol(subscriber) == "email":
                self.topic.add_subscription(subscriptions.EmailSubscription(subscriber))
            else:
                self.topic.add_subscription(subscriptions.UrlSubscription(subscriber, protocol=sns.SubscriptionProtocol.HTTPS))
