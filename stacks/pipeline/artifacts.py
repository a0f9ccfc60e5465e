"""The pipeline's artifacts bucket: what its jobs read and write, and the models it registers.

One per pipeline stack (use case and environment): the execution role's S3 access is then the whole
of one bucket's two prefixes, and deleting a use case takes its data with it only where
``retain_data`` allows. Layout (mlmeta.pipeline_definition.spec):

- ``input/``: CSVs people upload for the InputDataUri parameter;
- ``executions/<execution_id>/{train,validation,test,model,evaluation}/``: one prefix per execution.

Nothing expires: a registered model package points at its ``model.tar.gz`` here, and trial 1.2 records
the test set and evaluation URIs as the execution's artifacts. Old objects move to Infrequent Access;
noncurrent versions and abandoned uploads are cleaned up. SSE-KMS with a customer-managed key (the
splits are customer data), a bucket key, TLS only, no public access, access logs to a sibling bucket.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from mlmeta.config import RetentionSettings
from mlmeta.pipeline_definition.spec import EXECUTIONS_PREFIX
from stacks import nag
from stacks.lake.storage import ABORT_INCOMPLETE_UPLOADS_AFTER, MIN_INFREQUENT_ACCESS_DAYS, TLS_MINIMUM

ACCESS_LOGS_PREFIX = "artifacts/"


class PipelineArtifacts(Construct):
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
            raise ValueError(f"S3 needs at least {MIN_INFREQUENT_ACCESS_DAYS} days before a transition to Infrequent Access")
        self.key = kms.Key(
            self,
            "Key",
            description="Encrypts a SageMaker pipeline's data splits, models and evaluation reports.",
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
            bucket_key_enabled=True,
            versioned=True,
            enforce_ssl=True,
            minimum_tls_version=TLS_MINIMUM,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix=ACCESS_LOGS_PREFIX,
            transition_default_minimum_object_size=s3.TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128_K,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="executions-to-infrequent-access",
                    prefix=f"{EXECUTIONS_PREFIX}/",
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
            "This bucket receives the artifacts bucket's server access logs; logging it too would log every "
            "log delivery, into itself (a loop) or into yet another bucket with the same question.",
        )
        return bucket
