"""The one way this project makes a data bucket: KMS key (rotated), private SSE-KMS bucket, access-log bucket.

The lake and every pipeline's artifacts bucket are built here, so a hardening change (TLS minimum,
ownership, lifecycle hygiene) reaches all of them at once. Construct ids stay those of the caller's
scope (``Key``, ``Bucket``, ``AccessLogs``): the logical IDs of these stateful resources are pinned.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from mlmeta.config import RetentionSettings
from stacks.common import nag

# Nothing in this system uploads in parts for days; anything older is an abandoned upload that costs money.
ABORT_INCOMPLETE_UPLOADS_AFTER = Duration.days(7)
# S3 refuses a transition to STANDARD_IA earlier than 30 days after creation.
MIN_INFREQUENT_ACCESS_DAYS = 30
TLS_MINIMUM = 1.2


def rotated_key(scope: Construct, *, description: str, alias: str, removal_policy: RemovalPolicy) -> kms.Key:
    return kms.Key(
        scope, "Key", description=description, alias=alias, enable_key_rotation=True, removal_policy=removal_policy
    )


def infrequent_access_rule(rule_id: str, prefix: str, retention: RetentionSettings) -> s3.LifecycleRule:
    """Move objects under ``prefix`` to Infrequent Access after ``retention.raw_to_infrequent_access_days``."""
    if retention.raw_to_infrequent_access_days < MIN_INFREQUENT_ACCESS_DAYS:
        raise ValueError(
            f"retention.raw_to_infrequent_access_days is {retention.raw_to_infrequent_access_days}; "
            f"S3 needs at least {MIN_INFREQUENT_ACCESS_DAYS} days before a transition to Infrequent Access"
        )
    return s3.LifecycleRule(
        id=rule_id,
        prefix=prefix,
        transitions=[
            s3.Transition(
                storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                transition_after=Duration.days(retention.raw_to_infrequent_access_days),
            )
        ],
    )


def encrypted_bucket(
    scope: Construct,
    *,
    key: kms.IKey,
    access_logs_bucket: s3.IBucket,
    access_logs_prefix: str,
    retention: RetentionSettings,
    removal_policy: RemovalPolicy,
    lifecycle_rules: Sequence[s3.LifecycleRule] = (),
    bucket_key_enabled: bool = True,
) -> s3.Bucket:
    """``Bucket``: SSE-KMS with ``key``, versioned, TLS only, private, logged; plus version and upload hygiene.

    ``bucket_key_enabled=False`` for writers whose key policy checks their own encryption context
    (CloudTrail): with an S3 Bucket Key, KMS sees the bucket's context instead."""
    return s3.Bucket(
        scope,
        "Bucket",
        encryption=s3.BucketEncryption.KMS,
        encryption_key=key,
        # One data key per bucket instead of one KMS call per object: cheaper, fewer throttles.
        bucket_key_enabled=bucket_key_enabled,
        versioned=True,
        enforce_ssl=True,
        minimum_tls_version=TLS_MINIMUM,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        server_access_logs_bucket=access_logs_bucket,
        server_access_logs_prefix=access_logs_prefix,
        # dt-style partitions under the prefix, so the logs themselves are queryable with projection.
        target_object_key_format=s3.TargetObjectKeyFormat.partitioned_prefix(s3.PartitionDateSource.EVENT_TIME),
        # Objects below 128 KiB would be billed as 128 KiB in Infrequent Access, so they stay in Standard.
        transition_default_minimum_object_size=s3.TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128_K,
        lifecycle_rules=[
            *lifecycle_rules,
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


def access_logs_bucket(
    scope: Construct, *, logged_bucket: str, retention: RetentionSettings, removal_policy: RemovalPolicy
) -> s3.Bucket:
    """``AccessLogs``: where S3 delivers the server access logs of the ``logged_bucket`` bucket."""
    bucket = s3.Bucket(
        scope,
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
        f"This bucket receives the {logged_bucket} bucket's server access logs; logging it too would log every "
        "log delivery, into itself (a loop) or into yet another bucket with the same question.",
    )
    return bucket


class EncryptedStorage(Construct):
    """``Key``, ``AccessLogs`` and ``Bucket`` together: a data bucket as this project always makes it."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key_description: str,
        key_alias: str,
        logged_bucket: str,
        access_logs_prefix: str,
        retention: RetentionSettings,
        removal_policy: RemovalPolicy,
        lifecycle_rules: Sequence[s3.LifecycleRule] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = rotated_key(self, description=key_description, alias=key_alias, removal_policy=removal_policy)
        self.access_logs_bucket = access_logs_bucket(
            self, logged_bucket=logged_bucket, retention=retention, removal_policy=removal_policy
        )
        self.bucket = encrypted_bucket(
            self,
            key=self.key,
            access_logs_bucket=self.access_logs_bucket,
            access_logs_prefix=access_logs_prefix,
            retention=retention,
            removal_policy=removal_policy,
            lifecycle_rules=lifecycle_rules,
        )
