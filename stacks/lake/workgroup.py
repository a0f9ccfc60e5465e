"""The Athena workgroup every mlmeta query runs in."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_kms as kms
from constructs import Construct

ENGINE_VERSION = "Athena engine version 3"


class QueryWorkgroup(Construct):
    """Engine v3, settings enforced on every query, KMS-encrypted results, a per-query scan cutoff."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        results_location: str,
        results_key: kms.IKey,
        bytes_scanned_cutoff: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.name = name
        self.resource = athena.CfnWorkGroup(
            self,
            "Resource",
            name=name,
            description="mlmeta metric lake queries: results encrypted in the lake bucket, scans capped per query.",
            state="ENABLED",
            # True: the workgroup holds nothing that is not kept elsewhere. Its named queries come from
            # mlmeta/queries/sql/*.sql, its results live in the lake bucket (under that bucket's removal policy), and
            # Athena drops query history after 45 days anyway. With false, deleting or renaming the
            # workgroup fails while it holds named queries, e.g. one a user saved in the console.
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                # Clients cannot override the output location, encryption or cutoff below.
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=bytes_scanned_cutoff,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(selected_engine_version=ENGINE_VERSION),
                requester_pays_enabled=False,
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=results_location,
                    # Athena refuses to write results into a bucket some other account has taken over.
                    expected_bucket_owner=Stack.of(self).account,
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS",
                        kms_key=results_key.key_arn,
                    ),
                ),
            ),
        )
