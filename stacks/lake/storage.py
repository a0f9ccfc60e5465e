"""The lake's storage: its KMS key, the lake bucket and the bucket that receives its access logs."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from mlmeta.config import RetentionSettings
from stacks.storage.secure_bucket import EncryptedStorage, infrequent_access_rule

# Athena writes query results here (the workgroup enforces it); they expire quickly.
ATHENA_RESULTS_PREFIX = "athena-results/"
# Snapshots (docs/design.md §5) live below raw/; old ones are read rarely, so they may move to Infrequent Access.
RAW_PREFIX = "raw/"
ACCESS_LOGS_PREFIX = "lake/"


class LakeStorage(EncryptedStorage):
    """KMS key (rotated), lake bucket (SSE-KMS, versioned, private) and its access-log bucket.

    Snapshots are a few KiB and stay in Standard (the bucket's 128 KiB transition minimum); compacted
    objects (docs/design.md §7) are large enough to move to Infrequent Access.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, key_alias: str, retention: RetentionSettings, removal_policy: RemovalPolicy
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            key_description="Encrypts the mlmeta metric lake and its Athena query results.",
            key_alias=key_alias,
            logged_bucket="lake",
            access_logs_prefix=ACCESS_LOGS_PREFIX,
            retention=retention,
            removal_policy=removal_policy,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-athena-results",
                    prefix=ATHENA_RESULTS_PREFIX,
                    expiration=Duration.days(retention.athena_results_days),
                ),
                infrequent_access_rule("raw-to-infrequent-access", RAW_PREFIX, retention),
            ],
        )
        # S3 sends "Object Created" events to EventBridge, where the compaction stack's rule picks the late
        # snapshots of compacted days (docs/compaction.md). Set on the bucket resource itself: CDK's
        # ``event_bridge_enabled`` would add a custom-resource Lambda (its own role, runtime and findings)
        # to set what CloudFormation sets natively.
        cfn_bucket: s3.CfnBucket = self.bucket.node.default_child
        cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            event_bridge_configuration=s3.CfnBucket.EventBridgeConfigurationProperty(event_bridge_enabled=True)
        )
