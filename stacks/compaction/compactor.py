"""The compactor (docs/compaction.md): a Python Lambda with pyarrow from AWS's SDK-for-pandas layer, run
daily by a schedule rule and on every "Object Created" event under the lake's raw prefixes, with a
dead-letter queue on both rules' targets and an on-failure destination, each alarmed.

The code asset holds ``lambdas/compactor/``, ``mlmeta_contract/`` (as every asset) and ``mlmeta/lake/``
whole (``SHARED_CODE``: the compaction, Parquet, object-store and view modules);
tests/infrastructure/test_compaction_stack.py checks that every import resolves in it or in the layer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from mlmeta.config import lambda_runtime
from mlmeta_contract.events import OBJECT_CREATED, S3_SOURCE
from mlmeta_contract.handlers import COMPACTOR, service_name
from stacks.compaction.permissions import compactor_statements, source_prefixes
from stacks.common.alarmed_queue import AlarmedQueue
from stacks.common.iam import acknowledge_wildcards
from stacks.common.retries import DELIVERY_MAX_EVENT_AGE, DELIVERY_RETRY_ATTEMPTS, INVOKE_MAX_EVENT_AGE, INVOKE_RETRY_ATTEMPTS
from stacks.common.python_lambda import PythonLambda

PACKAGE = "compactor"
SHARED_CODE = ("mlmeta/lake",)
# 01:30 UTC: yesterday's executions ended and were snapshotted (the reconciler runs hourly).
DAILY_SCHEDULE = "cron(30 1 * * ? *)"
# A year of backfill or a day of a million executions fits; runs stop a minute before (handler.STOP_MARGIN_MS).
TIMEOUT = Duration.minutes(15)
# Lambda's CPU grows with memory; a day's rows and its Parquet object sit in memory.
MEMORY_MB = 2048


def late_object_pattern(bucket_name: str, prefixes: Sequence[str]) -> dict:
    """Object Created events of the lake bucket under the raw prefixes (S3's EventBridge notifications)."""
    return {
        "source": [S3_SOURCE],
        "detail-type": [OBJECT_CREATED],
        "detail": {"bucket": {"name": [bucket_name]}, "object": {"key": [{"prefix": f"{p}/"} for p in prefixes]}},
    }


class Compactor(Construct):
    """``Handler`` (PythonLambda), ``Permissions``, ``Daily`` and ``LateObjects`` rules, ``FailedRuns`` and
    ``DeliveryFailures`` alarmed queues."""

    function: lambda_.Function
    policy: iam.Policy
    daily: events.Rule
    late_objects: events.Rule
    failed_runs: AlarmedQueue
    delivery_failures: AlarmedQueue

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: Mapping[str, str],
        lake_bucket: s3.IBucket,
        lake_key: kms.IKey,
        database_name: str,
        notices_topic: sns.ITopic,
        log_retention_days: int,
        log_removal_policy: RemovalPolicy,
        nag_external_references: Mapping[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.failed_runs = AlarmedQueue(self, "FailedRuns", holds="compaction runs that failed after Lambda's retries", topic=notices_topic)
        self.delivery_failures = AlarmedQueue(
            self, "DeliveryFailures", holds="compaction triggers EventBridge could not deliver", topic=notices_topic
        )
        handler = PythonLambda(
            self,
            "Handler",
            handler=PACKAGE,
            entry="handler:lambda_handler",
            description="mlmeta: rewrites each day of the lake into one Parquet object per table; keeps the views' compacted days",
            service=service_name(COMPACTOR),
            log_retention_days=log_retention_days,
            log_removal_policy=log_removal_policy,
            environment=environment,
            shared=SHARED_CODE,
            timeout=TIMEOUT,
            memory_size=MEMORY_MB,
            layer_parameters={"AwsSdkForPandas": lambda_runtime.aws_sdk_pandas_layer_parameter()},
        )
        self.function = handler.function
        self.function.configure_async_invoke(
            retry_attempts=INVOKE_RETRY_ATTEMPTS,
            max_event_age=INVOKE_MAX_EVENT_AGE,
            on_failure=destinations.SqsDestination(self.failed_runs.queue),
        )
        statements = compactor_statements(stack=stack, bucket=lake_bucket, key=lake_key, database_name=database_name)
        self.policy = iam.Policy(self, "Permissions", statements=[s.statement for s in statements], roles=[handler.role])
        acknowledge_wildcards(self.policy, statements, nag_external_references)

        self.daily = events.Rule(
            self, "Daily", description="mlmeta: compact yesterday and recheck the last days", schedule=events.Schedule.expression(DAILY_SCHEDULE)
        )
        pattern = late_object_pattern(lake_bucket.bucket_name, source_prefixes())
        self.late_objects = events.Rule(
            self,
            "LateObjects",
            description="mlmeta: a snapshot or audit object written to the lake; its day is recompacted if compacted",
            event_pattern=events.EventPattern(source=pattern["source"], detail_type=pattern["detail-type"], detail=pattern["detail"]),
        )
        for rule in (self.daily, self.late_objects):
            rule.add_target(
                targets.LambdaFunction(
                    self.function,
                    dead_letter_queue=self.delivery_failures.queue,
                    max_event_age=DELIVERY_MAX_EVENT_AGE,
                    retry_attempts=DELIVERY_RETRY_ATTEMPTS,
                )
            )
