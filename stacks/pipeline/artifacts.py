"""The pipeline's artifacts bucket: what its jobs read and write, and the models it registers.

One per pipeline stack (use case and environment): the execution role's S3 access is then the whole
of one bucket's two prefixes, and deleting a use case takes its data with it only where
``retain_data`` allows. Layout (stacks.pipeline.definition.spec):

- ``input/``: CSVs people upload for the InputDataUri parameter;
- ``executions/<execution_id>/{train,validation,test,model,evaluation}/``: one prefix per execution.

Nothing expires: a registered model package points at its ``model.tar.gz`` here, and trial 1.2 records
the test set and evaluation URIs as the execution's artifacts. Old objects move to Infrequent Access;
noncurrent versions and abandoned uploads are cleaned up. SSE-KMS with a customer-managed key (the
splits are customer data), a bucket key, TLS only, no public access, access logs to a sibling bucket.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from constructs import Construct

from mlmeta.config import RetentionSettings
from stacks.pipeline.definition.spec import EXECUTIONS_PREFIX
from stacks.storage.secure_bucket import EncryptedStorage, infrequent_access_rule

ACCESS_LOGS_PREFIX = "artifacts/"


class PipelineArtifacts(EncryptedStorage):
    def __init__(
        self, scope: Construct, construct_id: str, *, key_alias: str, retention: RetentionSettings, removal_policy: RemovalPolicy
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            key_description="Encrypts a SageMaker pipeline's data splits, models and evaluation reports.",
            key_alias=key_alias,
            logged_bucket="artifacts",
            access_logs_prefix=ACCESS_LOGS_PREFIX,
            retention=retention,
            removal_policy=removal_policy,
            lifecycle_rules=[infrequent_access_rule("executions-to-infrequent-access", f"{EXECUTIONS_PREFIX}/", retention)],
        )
