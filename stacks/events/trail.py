"""A CloudTrail trail of this region's write management events (``EnvironmentSettings.create_trail``, the
default), unless the environment declares an ``existing_trail`` that logs them.

EventBridge receives "AWS API Call via CloudTrail" events, the naming guard's trigger, only while some
trail logs management events in the account and region; any trail will do, so an account with an
organisation trail sets ``existing_trail`` and ``create_trail=False``. Write events only: EventBridge delivers no read-only
API calls to rules like the guard's, and a second copy of management events is billed per event.

Log files are encrypted by CloudTrail with the trail's own key (SSE-KMS, key policy as AWS documents it,
limited to this trail) into a bucket that is private, TLS-only, versioned and access-logged; log file
validation is on, so tampering shows (``aws cloudtrail validate-logs``). The bucket holds audit
evidence: it follows ``retain_data`` like the lake and its logical ID is pinned.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from mlmeta.config import RetentionSettings
from mlmeta_contract.resources import MANAGEMENT_TRAIL, resource_name
from stacks.storage.secure_bucket import access_logs_bucket, encrypted_bucket, rotated_key

CLOUDTRAIL = "cloudtrail.amazonaws.com"
ACCESS_LOGS_PREFIX = "trail/"


class ManagementEventsTrail(Construct):
    """``Key``, ``AccessLogs``, ``Bucket`` and ``Trail``."""

    trail: cloudtrail.Trail
    bucket: s3.Bucket

    def __init__(
        self, scope: Construct, construct_id: str, *, environment: str, retention: RetentionSettings, removal_policy: RemovalPolicy
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        trail_name = resource_name(environment, MANAGEMENT_TRAIL)
        # Named, so the key policy can name the trail without a circular reference.
        trail_arn = stack.format_arn(service="cloudtrail", resource="trail", resource_name=trail_name)
        key = rotated_key(
            self,
            description=f"Encrypts the log files of the CloudTrail trail {trail_name}.",
            alias=f"alias/mlmeta-{environment}-trail",
            removal_policy=removal_policy,
        )
        source = {"StringEquals": {"aws:SourceArn": trail_arn}}
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudTrailEncryptsLogFiles",
                principals=[iam.ServicePrincipal(CLOUDTRAIL)],
                actions=["kms:GenerateDataKey*"],
                resources=["*"],
                conditions={
                    **source,
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": stack.format_arn(
                            service="cloudtrail", region="*", resource="trail", resource_name="*"
                        )
                    },
                },
            )
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudTrailDescribesKey",
                principals=[iam.ServicePrincipal(CLOUDTRAIL)],
                actions=["kms:DescribeKey"],
                resources=["*"],
                conditions=source,
            )
        )
        logs = access_logs_bucket(self, logged_bucket="trail", retention=retention, removal_policy=removal_policy)
        self.bucket = encrypted_bucket(
            self,
            key=key,
            access_logs_bucket=logs,
            access_logs_prefix=ACCESS_LOGS_PREFIX,
            retention=retention,
            removal_policy=removal_policy,
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-trail-logs", expiration=Duration.days(retention.access_logs_days)),
            ],
            # CloudTrail's key condition checks its own encryption context, which a Bucket Key would replace.
            bucket_key_enabled=False,
        )
        self.trail = cloudtrail.Trail(
            self,
            "Trail",
            trail_name=trail_name,
            bucket=self.bucket,
            encryption_key=key,
            enable_file_validation=True,
            management_events=cloudtrail.ReadWriteType.WRITE_ONLY,
            include_global_service_events=False,
            is_multi_region_trail=False,
        )
