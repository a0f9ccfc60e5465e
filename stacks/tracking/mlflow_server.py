"""The environment's MLflow server: a serverless MLflow App (``AWS::SageMaker::MlflowApp``) or a
tracking server (``AWS::SageMaker::MlflowTrackingServer``), its artifact store and the role it assumes.

- ``Storage``: the artifact store, made as every data bucket here (stacks/storage/secure_bucket.py:
  KMS key, SSE-KMS, versioned, TLS only, public access blocked, access logs), retained with the data;
- ``ServiceRole``: assumed by SageMaker for this account only; it may read and write objects under
  ``artifacts/`` of that bucket and use its key, nothing else (automatic registration of models into
  the SageMaker Model Registry is off, so it needs no SageMaker permission);
- ``App`` or ``TrackingServer``: named ``mlmeta-{env}``; it holds the experiments and runs, so it
  follows ``retain_data`` too. Its ARN (``arn``) is resolved at deploy: the App's ID is generated.

The clients (the evaluate step, mlmeta.track, the handlers) only send REST calls; they log no artifacts,
so none of them gets access to the bucket.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from mlmeta.config import RetentionSettings
from mlmeta.config.settings import MlflowSettings, MlflowTargetKind
from mlmeta_contract.naming.tags import TAG_KIND
from stacks.common.iam import Statement, account_service_principal, acknowledge_wildcards
from stacks.storage.secure_bucket import EncryptedStorage

ARTIFACTS_PREFIX = "artifacts"
ACCESS_LOGS_PREFIX = "mlflow/"
# Models are registered by the pipeline (RegisterModel step), not by MLflow behind its back.
APP_MODEL_REGISTRATION = "AutoModelRegistrationDisabled"


class MlflowServer(Construct):
    """``arn`` and ``kind`` are what ``stacks.tracking.target.tracking_target`` needs."""

    arn: str
    kind: MlflowTargetKind
    resource: sagemaker.CfnMlflowApp | sagemaker.CfnMlflowTrackingServer
    artifact_store_uri: str

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        settings: MlflowSettings,
        key_alias: str,
        retention: RetentionSettings,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        if settings.provision is None:
            raise ValueError(f"MLflow server {name}: the settings point at an existing server ({settings.existing!r}); nothing to provision")
        storage = EncryptedStorage(
            self,
            "Storage",
            key_description=f"Encrypts the artifacts of MLflow server {name}.",
            key_alias=key_alias,
            logged_bucket="MLflow artifacts",
            access_logs_prefix=ACCESS_LOGS_PREFIX,
            retention=retention,
            removal_policy=removal_policy,
        )
        self.bucket, self.key = storage.bucket, storage.key
        self.artifact_store_uri = f"s3://{self.bucket.bucket_name}/{ARTIFACTS_PREFIX}"

        self.role = iam.Role(
            self,
            "ServiceRole",
            description=f"Assumed by SageMaker's MLflow server {name}: its artifact store only",
            assumed_by=account_service_principal("sagemaker.amazonaws.com"),
        )
        statements = [
            Statement(
                iam.PolicyStatement(
                    sid="ArtifactsReadWrite",
                    actions=["s3:GetObject", "s3:PutObject"],
                    resources=[self.bucket.arn_for_objects(f"{ARTIFACTS_PREFIX}/*")],
                ),
                (self.bucket.arn_for_objects(f"{ARTIFACTS_PREFIX}/*"),),
                f"MLflow names artifact objects <experiment id>/<run id>/... at run time, under {ARTIFACTS_PREFIX}/ "
                "of the server's own bucket",
            ),
            Statement(
                iam.PolicyStatement(
                    sid="ArtifactsList",
                    actions=["s3:ListBucket"],
                    resources=[self.bucket.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": [f"{ARTIFACTS_PREFIX}/*"]}},
                ),
                (self.bucket.bucket_arn,),
                None,
            ),
            Statement(
                iam.PolicyStatement(sid="ArtifactsBucketLocation", actions=["s3:GetBucketLocation"], resources=[self.bucket.bucket_arn]),
                (self.bucket.bucket_arn,),
                None,
            ),
            # SSE-KMS with a bucket key: S3 asks KMS for data keys on the writer's behalf, and to decrypt on reads.
            Statement(
                iam.PolicyStatement(sid="ArtifactsKey", actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[self.key.key_arn]),
                (self.key.key_arn,),
                None,
            ),
        ]
        self.policy = iam.Policy(self, "ServicePolicy", statements=[s.statement for s in statements], roles=[self.role])
        acknowledge_wildcards(self.policy, statements)

        window = settings.weekly_maintenance_window_start
        if settings.provision == "app":
            app = sagemaker.CfnMlflowApp(
                self,
                "App",
                name=name,
                artifact_store_uri=self.artifact_store_uri,
                role_arn=self.role.role_arn,
                model_registration_mode=APP_MODEL_REGISTRATION,
                weekly_maintenance_window_start=window,
            )
            self.resource, self.arn, self.kind = app, app.attr_arn, "mlflow-app"
        else:
            server = sagemaker.CfnMlflowTrackingServer(
                self,
                "TrackingServer",
                tracking_server_name=name,
                artifact_store_uri=self.artifact_store_uri,
                role_arn=self.role.role_arn,
                tracking_server_size=settings.server_size,
                automatic_model_registration=False,
                weekly_maintenance_window_start=window,
            )
            self.resource, self.arn, self.kind = server, server.attr_tracking_server_arn, "mlflow-tracking-server"
        # SageMaker checks the role's access to the artifact store when it creates the server.
        self.resource.node.add_dependency(self.policy)
        # The server holds the experiments and runs: it goes, or stays, with the data.
        self.resource.apply_removal_policy(removal_policy)
        Tags.of(self.resource).add(TAG_KIND, self.kind)
