"""Which backend a run goes to: ``backend=`` if given, else ``$MLMETA_TRACKING_BACKEND`` (docs/tracking.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from mlmeta.track.errors import TrackingError

BACKEND_ENV_VAR = "MLMETA_TRACKING_BACKEND"
TRACKING_URI_ENV_VAR = "MLMETA_MLFLOW_TRACKING_URI"
SAGEMAKER, MLFLOW = "sagemaker", "mlflow"
BACKENDS = (SAGEMAKER, MLFLOW)


def chosen_backend(backend: str | None, environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    value = backend if backend is not None else (environ.get(BACKEND_ENV_VAR, "").strip() or SAGEMAKER)
    if value not in BACKENDS:
        source = "backend=" if backend is not None else f"${BACKEND_ENV_VAR}"
        raise TrackingError(f"{source} {value!r} is not a tracking backend; use one of {', '.join(BACKENDS)}")
    return value


def mlflow_tracking_uri(tracking_uri: str | None, environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    value = tracking_uri or environ.get(TRACKING_URI_ENV_VAR, "").strip()
    if not value:
        raise TrackingError(
            f"the MLflow backend needs a tracking server: set ${TRACKING_URI_ENV_VAR} (http://host:port or the ARN of a "
            "SageMaker MLflow App) or pass tracking_uri="
        )
    return value
