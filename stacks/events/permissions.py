"""What each event handler may do (docs/handlers.md, "IAM"), as policy statements.

Every statement names its actions (no ``*`` action) and its resources by ARN, scoped to the naming
convention's shapes (``mlmeta_contract.naming.arn_patterns``) where the handler acts on this system's own
entities, and to the lake's prefixes it writes. The exceptions, acknowledged with their reasons:

- ``sagemaker:Search`` has no resource-level permissions (the Service Authorization Reference lists no
  resource type for it), so it needs ``Resource: *`` (the reconciler's naming sweep searches
  experiments, trials and trial components with it, so it needs no List* action);
- the naming guard judges every experiment, trial and trial component created in the account, so its
  Describe and AddTags cover each whole resource type; AddTags is limited by condition to the verdict tag;
- pipeline executions, trial names and job components carry run-time parts (execution ids, job suffixes).

The reconciler gets ``s3:ListBucket`` on the lake without a prefix condition: it lists each day's
``raw/metric_snapshots/dt=.../`` partition and its incomplete-snapshot markers, and S3 answers GetObject
on a missing key (the first run's sweep marker) with 404 only to callers allowed to list the bucket; S3
does not document that a prefix-conditioned grant counts for that, so a condition could turn a missing
marker into AccessDenied. Listing shows object keys (dates and execution ids), not data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from aws_cdk import Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from mlmeta.events.handlers import NAMING_GUARD, RECONCILER, SNAPSHOTTER, TAGGER, HandlerSpec
from mlmeta_contract.lake.layout import QUARANTINE_PREFIX
from mlmeta_contract.lake.schema import COMPONENT_SNAPSHOTS, METRIC_SNAPSHOTS, NAMING_AUDIT
from mlmeta_contract.naming import NamingConvention, arn_patterns
from mlmeta_contract.naming.tags import TAG_NAMING
from stacks.common.iam import Statement, allow
from stacks.pipeline.execution_role import PIPELINE_JOB_PREFIX
from stacks.tracking.permissions import mlflow_statements
from stacks.tracking.target import SAGEMAKER, TrackingTarget

# The reconciler's state: the sweep marker (lambdas/reconciler/sweep.py: state/reconciler/naming-sweep.json)
# and the incomplete-snapshot markers the snapshotter leaves for it (lambdas/snapshotter/completeness.py).
RECONCILER_STATE_PREFIX = "state/reconciler/"
INCOMPLETE_SNAPSHOT_MARKERS_PREFIX = "state/reconciler/incomplete-snapshots/"
# SageMaker names each job's own trial component <job name>-aws-<type>-job; Pipelines names jobs pipelines-*.
JOB_TYPES = ("processing", "training", "transform")
EXPERIMENT_ENTITY_TYPES = ("experiment", "experiment-trial", "experiment-trial-component")
# Every tag the tagger writes is an mlmeta:* tag (mlmeta_contract.naming.tags, mlmeta_runtime.tags).
MLMETA_TAG_KEYS = {"ForAllValues:StringLike": {"aws:TagKeys": ["mlmeta:*"]}}
VERDICT_TAG_KEY = {"ForAllValues:StringEquals": {"aws:TagKeys": [TAG_NAMING]}}

_NO_RESOURCE_TYPES = (
    "the Service Authorization Reference lists no resource type for these actions, so IAM accepts only "
    "Resource '*'; they read metadata and change nothing"
)
_EVERY_ENTITY = (
    "the naming guard judges every experiment, trial and trial component created in the account, "
    "compliant or not, so no name pattern can narrow it; AddTags may write only the mlmeta:naming verdict tag"
)
_EXECUTIONS = "execution ids are chosen by SageMaker at run time; each pattern is one pipeline of this environment"
_LAKE_PREFIXES = "the handler writes one object per execution or audit record under these lake prefixes only"
_QUARANTINED_OBJECTS = "one object per malformed event too large for a queue message, named by its content, under this prefix only"
_MARKERS = "one incomplete-snapshot marker per execution, named by its id, under this prefix only"


@dataclass(frozen=True)
class HandlerAccess:
    """What the handlers' policies point at."""

    stack: Stack
    environment: str
    use_cases: tuple[str, ...]
    pipeline_names: tuple[str, ...]
    lake_bucket: s3.IBucket
    lake_key: kms.IKey
    notices_topic: sns.ITopic
    notices_key: kms.IKey
    quarantine_queue: sqs.IQueue
    convention: NamingConvention
    # How cdk-nag shows references to other stacks (stacks.common.iam.weak_references).
    nag_external_references: Mapping[str, str] = field(default_factory=dict)
    # Where the snapshotter and the reconciler read runs from: MLflow calls are granted on its server only.
    tracking: TrackingTarget = SAGEMAKER

    def sagemaker_arn(self, resource_type: str, name: str) -> str:
        return self.stack.format_arn(service="sagemaker", resource=resource_type, resource_name=name)

    def lake_objects(self, *tables_or_prefixes: str) -> list[str]:
        return [self.lake_bucket.arn_for_objects(f"{prefix.rstrip('/')}/*") for prefix in tables_or_prefixes]


def handler_statements(spec: HandlerSpec, access: HandlerAccess) -> list[Statement]:
    """The statements of ``spec``'s policy (log writes and the on-failure destination are granted elsewhere)."""
    builders = {TAGGER.name: _tagger, NAMING_GUARD.name: _naming_guard, SNAPSHOTTER.name: _snapshotter, RECONCILER.name: _reconciler}
    quarantine = [
        allow("QuarantineMalformedEvents", ["sqs:SendMessage"], [access.quarantine_queue.queue_arn]),
        # An event too large for a queue message is kept in the lake bucket (docs/handlers.md, "Error policy").
        allow("KeepOversizedMalformedEvents", ["s3:PutObject"], access.lake_objects(QUARANTINE_PREFIX), wildcards=_QUARANTINED_OBJECTS),
        allow("EncryptOversizedMalformedEvents", ["kms:GenerateDataKey"], [access.lake_key.key_arn]),
    ]
    return [*quarantine, *builders[spec.name](access)]


def _tagger(access: HandlerAccess) -> list[Statement]:
    trials = [
        arn
        for use_case in access.use_cases
        for arn in arn_patterns(
            "environment-trial", use_case, access.environment, convention=access.convention, **_arn_parts(access.stack)
        )
    ]
    components = [access.sagemaker_arn("experiment-trial-component", f"{PIPELINE_JOB_PREFIX}*-aws-{job}-job") for job in JOB_TYPES]
    components_why = (
        "SageMaker names a job's trial component after the job, and Pipelines names jobs pipelines-<execution id>-"
        "<step>-<suffix> at run time; the pattern keeps the prefix and the job-type suffix"
    )
    return [
        allow("DescribeEnvironmentTrials", ["sagemaker:DescribeTrial"], trials),
        allow("TagEnvironmentTrials", ["sagemaker:AddTags"], trials, conditions=MLMETA_TAG_KEYS),
        allow("DescribeJobComponents", ["sagemaker:DescribeTrialComponent"], components, wildcards=components_why),
        allow("TagJobComponents", ["sagemaker:AddTags"], components, conditions=MLMETA_TAG_KEYS, wildcards=components_why),
    ]


def _judge_names(access: HandlerAccess) -> list[Statement]:
    entities = [access.sagemaker_arn(resource_type, "*") for resource_type in EXPERIMENT_ENTITY_TYPES]
    return [
        allow(
            "DescribeExperimentEntities",
            ["sagemaker:DescribeExperiment", "sagemaker:DescribeTrial", "sagemaker:DescribeTrialComponent"],
            entities,
            wildcards=_EVERY_ENTITY,
        ),
        allow("TagNamingVerdicts", ["sagemaker:AddTags"], entities, conditions=VERDICT_TAG_KEY, wildcards=_EVERY_ENTITY),
    ]


def _notify(access: HandlerAccess) -> list[Statement]:
    return [
        allow("PublishNotices", ["sns:Publish"], [access.notices_topic.topic_arn]),
        # SNS encrypts each published message with a data key of the topic's key, as the publisher.
        allow("EncryptNotices", ["kms:GenerateDataKey", "kms:Decrypt"], [access.notices_key.key_arn]),
    ]


def _naming_guard(access: HandlerAccess) -> list[Statement]:
    return [
        *_judge_names(access),
        allow("WriteNamingAudit", ["s3:PutObject"], access.lake_objects(NAMING_AUDIT.prefix), wildcards=_LAKE_PREFIXES),
        # SSE-KMS with a bucket key: S3 asks KMS for a data key on the writer's behalf.
        allow("EncryptLakeObjects", ["kms:GenerateDataKey"], [access.lake_key.key_arn]),
        *_notify(access),
    ]


def _executions(access: HandlerAccess) -> list[str]:
    return [access.sagemaker_arn("pipeline", f"{name}/execution/*") for name in access.pipeline_names]


def _snapshotter(access: HandlerAccess) -> list[Statement]:
    return [
        allow("SearchTrialComponents", ["sagemaker:Search"], ["*"], wildcards=_NO_RESOURCE_TYPES),
        allow("ListExecutionSteps", ["sagemaker:ListPipelineExecutionSteps"], _executions(access), wildcards=_EXECUTIONS),
        allow(
            "WriteSnapshots",
            ["s3:PutObject"],
            access.lake_objects(METRIC_SNAPSHOTS.prefix, COMPONENT_SNAPSHOTS.prefix),
            wildcards=_LAKE_PREFIXES,
        ),
        allow("MarkIncompleteSnapshots", ["s3:PutObject"], access.lake_objects(INCOMPLETE_SNAPSHOT_MARKERS_PREFIX), wildcards=_MARKERS),
        allow("EncryptLakeObjects", ["kms:GenerateDataKey"], [access.lake_key.key_arn]),
        *mlflow_statements(access.tracking, records=False),
    ]


def _reconciler(access: HandlerAccess) -> list[Statement]:
    pipelines = [access.sagemaker_arn("pipeline", name) for name in access.pipeline_names]
    return [
        allow("ListExecutions", ["sagemaker:ListPipelineExecutions"], pipelines),
        allow(
            "ReadExecutions",
            ["sagemaker:DescribePipelineExecution", "sagemaker:ListPipelineExecutionSteps"],
            _executions(access),
            wildcards=_EXECUTIONS,
        ),
        allow("SearchEntities", ["sagemaker:Search"], ["*"], wildcards=_NO_RESOURCE_TYPES),
        *_judge_names(access),
        allow(
            "ReadReconcilerState",
            ["s3:GetObject"],
            access.lake_objects(RECONCILER_STATE_PREFIX),
            wildcards="the sweep marker and the incomplete-snapshot markers, one object each, under the reconciler's own prefix",
        ),
        allow("RemoveCompletedMarkers", ["s3:DeleteObject"], access.lake_objects(INCOMPLETE_SNAPSHOT_MARKERS_PREFIX), wildcards=_MARKERS),
        allow(
            "WriteSnapshotsAuditAndSweepMarker",
            ["s3:PutObject"],
            access.lake_objects(METRIC_SNAPSHOTS.prefix, COMPONENT_SNAPSHOTS.prefix, NAMING_AUDIT.prefix, RECONCILER_STATE_PREFIX),
            wildcards=_LAKE_PREFIXES,
        ),
        allow("ListSnapshotDaysAndMarkers", ["s3:ListBucket"], [access.lake_bucket.bucket_arn]),
        allow("UseLakeKey", ["kms:GenerateDataKey", "kms:Decrypt"], [access.lake_key.key_arn]),
        *_notify(access),
        *mlflow_statements(access.tracking, records=False),
    ]


def _arn_parts(stack: Stack) -> dict[str, str]:
    return {"partition": stack.partition, "region": stack.region, "account": stack.account}
