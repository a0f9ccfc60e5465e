"""Composition of the mlmeta CDK app: ``app.py`` and the tests build it through these two functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import App, Environment, Stack, Tags

from mlmeta.config import EnvironmentSettings
from mlmeta.queries.catalog import NamedQuery
from stacks.common import nag
from stacks.compaction_stack import CompactionStack
from stacks.events_stack import EventsStack
from stacks.experiments_stack import ExperimentsStack
from stacks.feature_flags import FEATURE_FLAGS
from stacks.lake_stack import LakeStack
from stacks.monitoring_stack import MonitoringStack
from stacks.pipeline_stack import PipelineStack
from stacks.tracking.target import tracking_target
from stacks.tracking_stack import TrackingStack

TAG_ENVIRONMENT = "mlmeta:environment"
TAG_MANAGED_BY = "mlmeta:managed-by"
MANAGED_BY = "cdk"


@dataclass(frozen=True)
class MlmetaStacks:
    """The stacks of one environment; later issues add fields here (experiments, pipelines, events, ...)."""

    lake: LakeStack
    experiments: ExperimentsStack
    events: EventsStack
    compaction: CompactionStack
    monitoring: MonitoringStack
    # One per use case, in settings.use_cases order.
    pipelines: tuple[PipelineStack, ...] = ()
    # Only when the environment provisions an MLflow server (tracking_backend "mlflow", MlflowSettings.provision).
    tracking: TrackingStack | None = None

    def all(self) -> tuple[Stack, ...]:
        tracking = (self.tracking,) if self.tracking else ()
        return (self.lake, *tracking, self.experiments, *self.pipelines, self.events, self.compaction, self.monitoring)


def create_app(*, outdir: str | None = None) -> App:
    """An App with the pinned feature flags and the cdk-nag AwsSolutions checks."""
    # post_cli_context: the flags are code, so cdk.json or -c cannot change them behind a reviewer's back.
    app = App(outdir=outdir, post_cli_context=FEATURE_FLAGS)
    nag.add_checks(app)
    return app


def build(app: App, settings: EnvironmentSettings, queries: Sequence[NamedQuery]) -> MlmetaStacks:
    """Add the stacks of environment ``settings`` to ``app``. New stacks are added here, in dependency order."""
    settings.check_trail()
    settings.check_notice_subscribers()
    settings.check_tracking()
    lake = LakeStack(
        app, settings.stack_name("lake"), settings=settings, queries=queries, **_stack_props(settings, "lake")
    )
    tracking_stack = (
        TrackingStack(app, settings.stack_name("tracking"), settings=settings, **_stack_props(settings, "tracking"))
        if settings.provisions_mlflow
        else None
    )
    # Where runs are recorded; a provisioned server's ARN reaches the experiments, pipeline and events stacks
    # as a weak reference (the tracking stack's output, no export), like the lake's bucket.
    tracking = tracking_target(settings, (tracking_stack.server.arn, tracking_stack.server.kind) if tracking_stack else None)
    experiments = ExperimentsStack(
        app,
        settings.stack_name("experiments"),
        settings=settings,
        tracking=tracking,
        **_stack_props(settings, "experiments"),
    )
    pipelines = tuple(
        PipelineStack(
            app,
            settings.stack_name(f"pipeline-{use_case.name}"),
            settings=settings,
            use_case=use_case,
            tracking=tracking,
            **_stack_props(settings, f"pipeline-{use_case.name}"),
        )
        for use_case in settings.use_cases
    )
    for pipeline in pipelines:
        # Executions record into the pipeline experiment, which the experiments stack provisions.
        pipeline.add_stack_dependency(experiments)
    # Reads the lake's bucket and key (weak references: the lake's outputs, no export).
    events = EventsStack(
        app,
        settings.stack_name("events"),
        settings=settings,
        lake_bucket=lake.bucket,
        lake_key=lake.key,
        tracking=tracking,
        **_stack_props(settings, "events"),
    )
    # Reads the lake's bucket, key and database and the events stack's notices topic (weak references).
    compaction = CompactionStack(
        app,
        settings.stack_name("compaction"),
        settings=settings,
        lake_bucket=lake.bucket,
        lake_key=lake.key,
        database_name=lake.database_name,
        notices_topic=events.notices.topic,
        **_stack_props(settings, "compaction"),
    )
    # Drift alarms and the dashboard read the events stack's topic, queues and functions (weak references).
    monitoring = MonitoringStack(
        app, settings.stack_name("monitoring"), settings=settings, events=events, **_stack_props(settings, "monitoring")
    )
    for key, value in common_tags(settings).items():
        # Resource-level tags in the template too: visible in review and on each resource's own tag list.
        Tags.of(app).add(key, value)
    return MlmetaStacks(
        lake=lake,
        experiments=experiments,
        events=events,
        compaction=compaction,
        monitoring=monitoring,
        pipelines=pipelines,
        tracking=tracking_stack,
    )


def common_tags(settings: EnvironmentSettings) -> dict[str, str]:
    return {TAG_ENVIRONMENT: settings.name, TAG_MANAGED_BY: MANAGED_BY}


def _stack_props(settings: EnvironmentSettings, component: str) -> dict[str, Any]:
    """What every mlmeta stack shares: its name, where it deploys, its stack-level tags."""
    return {
        "stack_name": settings.stack_name(component),
        # account None stays unresolved: synth needs no credentials.
        "env": Environment(account=settings.account, region=settings.region),
        # explicitStackTags is on, so stack tags are given here; CloudFormation copies them onto what it creates.
        "tags": common_tags(settings),
    }
