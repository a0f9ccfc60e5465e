"""The handlers' names, their service names and the environment their functions get: the variables the
stacks set (``mlmeta.events.handlers``, ``stacks/``), the demo and replay set too, and ``lambdas/`` reads
(docs/handlers.md). One list, so a variable cannot be set under one name and read under another.
"""

from __future__ import annotations

from mlmeta_contract.resources import PROJECT

# The handlers' names: rule targets, replay output, log lines (``service_name``), function names.
TAGGER = "tagger"
NAMING_GUARD = "naming-guard"
SNAPSHOTTER = "snapshotter"
RECONCILER = "reconciler"
EXPERIMENT_PROVISIONER = "experiment-provisioner"
COMPACTOR = "compactor"
# Replay's own quarantine of inputs that are not events (``mlmeta replay``).
REPLAY = "replay"

# Every event handler's.
ENVIRONMENT = "ENVIRONMENT"
QUARANTINE_QUEUE_URL = "QUARANTINE_QUEUE_URL"
QUARANTINE_BUCKET = "QUARANTINE_BUCKET"
# Some handlers' (mlmeta.events.handlers.HandlerSpec says which); the compactor's LAKE_BUCKET too.
LAKE_BUCKET = "LAKE_BUCKET"
NOTICES_TOPIC_ARN = "NOTICES_TOPIC_ARN"
PIPELINE_NAMES = "PIPELINE_NAMES"
LOOKBACK_HOURS = "LOOKBACK_HOURS"
# The compactor's.
GLUE_DATABASE = "GLUE_DATABASE"
LOOKBACK_DAYS = "LOOKBACK_DAYS"
# Powertools' own.
SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
LOG_LEVEL = "POWERTOOLS_LOG_LEVEL"
# Where runs are recorded (docs/infrastructure.md, "MLflow"): the names are the MLflow backend's own
# (mlmeta_contract/mlflow/backend.py), written there once.
from mlmeta_contract.mlflow.backend import TRACKING_BACKEND_ENV_VAR as TRACKING_BACKEND  # noqa: E402
from mlmeta_contract.mlflow.backend import TRACKING_URI_ENV_VAR as MLFLOW_TRACKING_URI  # noqa: E402

METRICS_NAMESPACE_VALUE = PROJECT
LOG_LEVEL_VALUE = "INFO"
# How far back the reconciler looks: two days covers a weekend's missed events at an hourly schedule.
RECONCILER_LOOKBACK_HOURS = 48


def service_name(handler: str) -> str:
    """Powertools' service name of ``handler`` (``POWERTOOLS_SERVICE_NAME``): the ``service`` key of its log lines."""
    return f"{PROJECT}-{handler}"
