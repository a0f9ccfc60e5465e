"""The lake's storage: its KMS key, the lake bucket and the bucket that receives its access logs."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from mlmeta.config import RetentionSettings
from stacks.storage.secure_bucket import access_logs_bucket, encrypted_bucket, infrequent_access_rule, rotated_key

# Athena writes query results here (the workgroup enforces it); they expire quickly.
ATHENA_RESULTS_PREFIX = "athena-results/"
# Snapshots (design §5) live below raw/; old ones are read rarely, so they may move to Infrequent Access.
RAW_PREFIX = "raw/"
ACCESS_LOGS_PREFIX = "lake/"


class LakeStorage(Construct):
    """KMS key (rotated), lake bucket (SSE-KMS, versioned, private) and its access-log bucket."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key_alias: str,
        retention: RetentionSettings,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = rotated_key(
            self,
            description="Encrypts the mlmeta metric lake and its Athena query results.",
            alias=key_alias,
            removal_policy=removal_policy,
        )
        self.access_logs_bucket = access_logs_bucket(
            self, logged_bucket="lake", retention=retention, removal_policy=removal_policy
        )
        # Snapshots are a few KiB and stay in Standard (the bucket's 128 KiB transition minimum);
        # compacted objects (design §7) are large enough to move.
        self.bucket = encrypted_bucket(
            self,
            key=self.key,
            access_logs_bucket=self.access_logs_bucket,
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
