"""The compaction stack (stateless, docs/compaction.md): the compactor Lambda, its schedule and its S3
event rule, its failure queues. It reads the lake's bucket, key and Glue database and the events
stack's notices topic through weak references (``Fn::GetStackOutput``, no export), so it deploys after
both. Nothing here holds data except the two queues (failed runs waiting for a person).
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from mlmeta.config import EnvironmentSettings
from mlmeta_contract.handlers import GLUE_DATABASE, LAKE_BUCKET, LOOKBACK_DAYS
from stacks.common.removal import removal_policy
from stacks.compaction.compactor import Compactor
from stacks.common.iam import weak_references

# The compactor's environment (lambdas/compactor/handler.py reads them).


class CompactionStack(Stack):
    compactor: Compactor

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: EnvironmentSettings,
        lake_bucket: s3.IBucket,
        lake_key: kms.IKey,
        database_name: str,
        notices_topic: sns.ITopic,
        **kwargs,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"mlmeta {settings.name}: compaction of the metric lake into daily Parquet objects. Stateless.",
            **kwargs,
        )
        producer = Stack.of(lake_bucket)
        self.compactor = Compactor(
            self,
            "Compactor",
            environment={
                LAKE_BUCKET: lake_bucket.bucket_name,
                GLUE_DATABASE: database_name,
                LOOKBACK_DAYS: str(settings.compaction_lookback_days),
            },
            lake_bucket=lake_bucket,
            lake_key=lake_key,
            database_name=database_name,
            notices_topic=notices_topic,
            log_retention_days=settings.retention.log_retention_days,
            log_removal_policy=removal_policy(settings),
            nag_external_references={} if producer is self else weak_references(producer, lake_bucket.bucket_arn),
        )
        CfnOutput(self, "CompactorFunctionName", value=self.compactor.function.function_name,
                  description='Invoke with {"days": ["YYYY-MM-DD"]} or {"all_days": true} to compact by hand')
