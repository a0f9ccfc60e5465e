"""The lake's storage: its KMS key, the lake bucket and the bucket that receives its access logs."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from mlmeta.config import RetentionSettings
from stacks import nag

# Athena writes query results here (the workgroup enforces it); they expire quickly.
ATHENA_RESULTS_PREFIX = "athena-results/"
# Snapshots (design §5) live below raw/; old ones are read rarely, so they may move to Infrequent Access.
RAW_PREFIX = "raw/"
ACCESS_LOGS_PREFIX = "lake/"
# Nothing in this system uploads in parts for days; anything older is an abandoned upload that costs money.
ABORT_INCOMPLETE_UPLOADS_AFTER = Duration.days(7)
# S3 refuses a transition to STANDARD_IA earlier than 30 days after creation.
MIN_INFREQUENT_ACCESS_DAYS = 30
TLS_MINIMUM = 1.2


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
        if retention.raw_to_infrequent_access_days < MIN_INFREQUENT_ACCESS_DAYS:
            raise ValueError(
                f"retention.raw_to_infrequent_access_days is {retention.raw_to_infrequent_access_days}; "
                f"S3 needs at least {MIN_INFREQUENT_ACCESS_DAYS} days before a transition to Infrequent Access"
            )

        self.key = kms.Key(
            self,
            "Key",
            description="Encrypts the mlmeta metric lake and its Athena query results.",
            alias=key_alias,
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        self.access_logs_bucket = self._access_logs_bucket(retention, removal_policy)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            # One data key per bucket instead of one KMS call per object: cheaper, fewer throttles.
            bucket_key_enabled=True,
            versioned=True,
            enforce_ssl=True,
            minimum_tls_version=TLS_MINIMUM,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix=ACCESS_LOGS_PREFIX,
            # dt-style partitions under the prefix, so the logs themselves are queryable with projection.
            target_object_key_format=s3.TargetObjectKeyFormat.partitioned_prefix(s3.PartitionDateSource.EVENT_TIME),
            # Snapshots are a few KiB: below 128 KiB Infrequent Access bills 128 KiB each, so they stay
            # in Standard; compacted objects (design §7) are large enough to move.
            transition_default_minimum_object_size=s3.TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128_K,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-athena-results",
                    prefix=ATHENA_RESULTS_PREFIX,
                    expiration=Duration.days(retention.athena_results_days),
                ),
                s3.LifecycleRule(
                    id="raw-to-infrequent-access",
                    prefix=RAW_PREFIX,
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                            transition_after=Duration.days(retention.raw_to_infrequent_access_days),
                        )
                    ],
                ),
                s3.LifecycleRule(
                    id="expire-noncurrent-versions",
                    noncurrent_version_expiration=Duration.days(retention.noncurrent_versions_days),
                    # A delete marker left with no versions behind it only slows listings down.
                    expired_object_delete_marker=True,
                ),
                s3.LifecycleRule(
                    id="abort-incomplete-multipart-uploads",
                    abort_incomplete_multipart_upload_after=ABORT_INCOMPLETE_UPLOADS_AFTER,
                ),
            ],
            removal_policy=removal_policy,
        )

    def _access_logs_bucket(self, retention: RetentionSettings, removal_policy: RemovalPolicy) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "AccessLogs",
            # S3 log delivery cannot write with a customer-managed KMS key.
            encryption=s3.BucketEncryption.S3_MANAGED,
            # Not versioned: log delivery writes every object once under a unique key and nothing
            # overwrites it, so versions would only keep deleted logs past their expiry.
            versioned=False,
            enforce_ssl=True,
            minimum_tls_version=TLS_MINIMUM,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-access-logs",
                    expiration=Duration.days(retention.access_logs_days),
                    abort_incomplete_multipart_upload_after=ABORT_INCOMPLETE_UPLOADS_AFTER,
                ),
            ],
            removal_policy=removal_policy,
        )
        nag.suppress(
            bucket.node.default_child,
            "AwsSolutions-S1",
            "This bucket is the server-access-log destination of the lake bucket; logging it too would "
            "log every log delivery, into itself (a loop) or into yet another bucket with the same question.",
        )
        return bucket
