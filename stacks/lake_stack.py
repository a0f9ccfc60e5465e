"""The lake stack (stateful): storage, Glue catalog, Athena workgroup and named queries.

A stack only composes; each piece is a construct under ``stacks/lake/``. Later stacks (events,
monitoring, ...) take what they need from the typed attributes below.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from mlmeta.config import EnvironmentSettings
from mlmeta.queries.catalog import NamedQuery
from mlmeta_contract.lake.schema import TABLES
from stacks.common.removal import removal_policy
from stacks.lake.catalog import LakeCatalog
from stacks.lake.named_queries import NamedQueries
from stacks.lake.storage import ATHENA_RESULTS_PREFIX, LakeStorage
from stacks.lake.workgroup import QueryWorkgroup


class LakeStack(Stack):
    """Stateful: termination protection and RETAIN on data when ``settings.retain_data``."""

    bucket: s3.IBucket
    key: kms.IKey
    database_name: str
    workgroup_name: str
    athena_results_location: str

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: EnvironmentSettings,
        queries: Sequence[NamedQuery],
        **kwargs,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"mlmeta {settings.name}: metric lake (S3, Glue, Athena). Stateful.",
            termination_protection=settings.retain_data,
            **kwargs,
        )
        # Only what holds data is retained; the catalog and the workgroup are rebuilt from code.
        data_removal_policy = removal_policy(settings)

        storage = LakeStorage(
            self,
            "Storage",
            key_alias=f"alias/{settings.stack_name('lake')}",
            retention=settings.retention,
            removal_policy=data_removal_policy,
        )
        self.bucket = storage.bucket
        self.key = storage.key
        self.athena_results_location = f"s3://{self.bucket.bucket_name}/{ATHENA_RESULTS_PREFIX}"

        catalog = LakeCatalog(
            self,
            "Catalog",
            database_name=settings.glue_database_name,
            bucket_name=self.bucket.bucket_name,
            tables=TABLES,
        )
        self.database_name = catalog.database_name

        workgroup = QueryWorkgroup(
            self,
            "Workgroup",
            name=settings.athena_workgroup_name,
            results_location=self.athena_results_location,
            results_key=self.key,
            bytes_scanned_cutoff=settings.athena_bytes_scanned_cutoff,
        )
        self.workgroup_name = workgroup.name

        NamedQueries(
            self, "NamedQueries", queries=queries, workgroup=workgroup.resource, database_name=self.database_name
        )

        CfnOutput(self, "LakeBucketName", value=self.bucket.bucket_name, description="S3 bucket of the metric lake")
        CfnOutput(self, "AthenaWorkgroupName", value=self.workgroup_name, description="Athena workgroup of the lake")
        CfnOutput(self, "GlueDatabaseName", value=self.database_name, description="Glue database of the lake")
