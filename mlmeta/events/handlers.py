"""The four event handlers (docs/handlers.md) as data: what each runs, how long it may take, and the
environment it gets. The events stack deploys these specs and ``mlmeta replay`` runs them, so the
environment of a Lambda and of a replayed handler come from the same function, ``handler_environment``.

No aws_cdk here: the stack passes CloudFormation tokens as the resource names, replay passes the names
of its local resources.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from mlmeta.config import EnvironmentSettings
from mlmeta_contract import handlers as names
from mlmeta_contract.handlers import (
    ENVIRONMENT,
    LAKE_BUCKET,
    LOG_LEVEL,
    LOG_LEVEL_VALUE,
    LOOKBACK_HOURS,
    METRICS_NAMESPACE,
    METRICS_NAMESPACE_VALUE,
    NOTICES_TOPIC_ARN,
    PIPELINE_NAMES,
    QUARANTINE_BUCKET,
    QUARANTINE_QUEUE_URL,
    RECONCILER_LOOKBACK_HOURS,
    SERVICE_NAME,
    MLFLOW_TRACKING_URI,
    TRACKING_BACKEND,
    service_name,
)
from mlmeta_contract.naming import CONVENTION_ENV_VAR, new


@dataclass(frozen=True)
class EventResources:
    """What the handlers write to: names, URLs and ARNs (CloudFormation tokens in the stack)."""

    lake_bucket: str
    quarantine_queue_url: str
    notices_topic_arn: str
    # The MLflow server's ARN or URL when the environment records to MLflow (the stack: the tracking
    # stack's ARN token); None falls back to the settings' existing server, if any.
    mlflow_tracking_uri: str | None = None


@dataclass(frozen=True)
class HandlerSpec:
    """One handler: ``lambdas/<package>/handler.py:lambda_handler`` and how it runs."""

    name: str  # mlmeta_contract.handlers': tagger, naming-guard, snapshotter, reconciler
    package: str  # its package under lambdas/
    description: str
    timeout_seconds: int
    memory_mb: int
    # Environment variables beyond ENVIRONMENT, QUARANTINE_QUEUE_URL and QUARANTINE_BUCKET (every handler's).
    needs_lake: bool = False
    needs_notices: bool = False
    needs_pipelines: bool = False
    emits_metrics: bool = False
    # Reads the execution's runs from the environment's tracking backend (SageMaker or MLflow).
    needs_tracking: bool = False
    module: str = "handler"
    function: str = "lambda_handler"

    @property
    def service(self) -> str:
        """Powertools' service name: the ``service`` key of every log line."""
        return service_name(self.name)

    @property
    def module_path(self) -> str:
        return f"{self.package}.{self.module}"


TAGGER = HandlerSpec(
    name=names.TAGGER,
    package="tagger",
    description="mlmeta: tags trial 1.1 when a pipeline execution starts and each job's trial component when its step changes",
    # Waits up to 31 s for Pipelines to create the trial (docs/handlers.md: at least 60 s).
    timeout_seconds=90,
    memory_mb=256,
)
NAMING_GUARD = HandlerSpec(
    name=names.NAMING_GUARD,
    package="naming_guard",
    description="mlmeta: judges the name of every new experiment, trial and trial component; verdict tag, audit record, notice",
    timeout_seconds=30,
    memory_mb=256,
    needs_lake=True,
    needs_notices=True,
)
SNAPSHOTTER = HandlerSpec(
    name=names.SNAPSHOTTER,
    package="snapshotter",
    description="mlmeta: writes the metric and component snapshots of a finished pipeline execution to the lake",
    # Search pages of 100 components, then two small S3 writes: seconds; the margin covers throttling retries.
    timeout_seconds=120,
    memory_mb=512,
    needs_lake=True,
    emits_metrics=True,
    needs_tracking=True,
)
RECONCILER = HandlerSpec(
    name=names.RECONCILER,
    package="reconciler",
    description="mlmeta: snapshots finished executions that have none and sweeps new names through the naming guard",
    timeout_seconds=300,
    memory_mb=512,
    needs_lake=True,
    needs_notices=True,
    needs_pipelines=True,
    emits_metrics=True,
    needs_tracking=True,
)
HANDLERS: tuple[HandlerSpec, ...] = (TAGGER, NAMING_GUARD, SNAPSHOTTER, RECONCILER)
HANDLERS_BY_NAME = {spec.name: spec for spec in HANDLERS}


def environment_pipeline_names(settings: EnvironmentSettings) -> tuple[str, ...]:
    """The pipelines of the environment's use cases, named by the convention."""
    return tuple(new("pipeline", use_case=use_case.name, env=settings.name, convention=settings.convention) for use_case in settings.use_cases)


def handler_environment(
    spec: HandlerSpec,
    settings: EnvironmentSettings,
    resources: EventResources,
) -> dict[str, str]:
    """The environment variables of ``spec``'s function in ``settings``' environment (docs/handlers.md)."""
    environment = {
        ENVIRONMENT: settings.name,
        QUARANTINE_QUEUE_URL: resources.quarantine_queue_url,
        # Events too large for a queue message are kept under the lake bucket's quarantine/ prefix.
        QUARANTINE_BUCKET: resources.lake_bucket,
        # The convention in force at synth, so the handlers judge names by the same rules as the stacks.
        CONVENTION_ENV_VAR: settings.convention.to_json(),
        SERVICE_NAME: spec.service,
        LOG_LEVEL: LOG_LEVEL_VALUE,
    }
    if spec.needs_lake:
        environment[LAKE_BUCKET] = resources.lake_bucket
    if spec.needs_notices:
        environment[NOTICES_TOPIC_ARN] = resources.notices_topic_arn
    if spec.needs_pipelines:
        environment[PIPELINE_NAMES] = json.dumps(list(environment_pipeline_names(settings)))
        environment[LOOKBACK_HOURS] = str(RECONCILER_LOOKBACK_HOURS)
    if spec.emits_metrics:
        environment[METRICS_NAMESPACE] = METRICS_NAMESPACE_VALUE
    if spec.needs_tracking:
        environment.update(tracking_environment(settings, resources.mlflow_tracking_uri))
    return environment


def tracking_environment(settings: EnvironmentSettings, mlflow_tracking_uri: str | None = None) -> dict[str, str]:
    """``MLMETA_TRACKING_BACKEND`` and, for MLflow, ``MLMETA_MLFLOW_TRACKING_URI``: ``mlflow_tracking_uri``
    (a provisioned server's ARN) or the settings' existing server; left out when neither is known."""
    environment = {TRACKING_BACKEND: settings.tracking_backend}
    if settings.tracking_backend == "mlflow":
        uri = mlflow_tracking_uri or (settings.mlflow.existing if settings.mlflow else None)
        if uri:
            environment[MLFLOW_TRACKING_URI] = uri
    return environment
