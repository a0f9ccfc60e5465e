"""Which backend a run goes to: ``backend=`` if given, else ``$MLMETA_TRACKING_BACKEND`` (the variable the
Lambdas and the pipeline step read too, ``mlmeta_contract.mlflow.backend``); docs/tracking.md."""

from __future__ import annotations

import os
from collections.abc import Mapping

from mlmeta.track.errors import TrackingError
from mlmeta_contract.mlflow.backend import BACKENDS, MLFLOW, SAGEMAKER, TRACKING_BACKEND_ENV_VAR, tracking_backend
from mlmeta_contract.mlflow.client import TRACKING_URI_ENV_VAR

__all__ = ["BACKENDS", "MLFLOW", "SAGEMAKER", "TRACKING_BACKEND_ENV_VAR", "TRACKING_URI_ENV_VAR", "chosen_backend", "mlflow_tracking_uri"]


def chosen_backend(backend: str | None, environ: Mapping[str, str] | None = None) -> str:
    if backend is None:
        try:
            return tracking_backend(environ)
        except ValueError as err:
            raise TrackingError(str(err)) from None
    if backend not in BACKENDS:
        raise TrackingError(f"backend={backend!r} is not a tracking backend: pass {' or '.join(BACKENDS)}")
    return backend


def mlflow_tracking_uri(tracking_uri: str | None, environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    value = tracking_uri or environ.get(TRACKING_URI_ENV_VAR, "").strip()
    if not value:
        raise TrackingError(
            f"the MLflow backend needs a tracking server: set {TRACKING_URI_ENV_VAR} (http(s)://host:port or the ARN of a "
            "SageMaker MLflow App or tracking server) or pass tracking_uri="
        )
    return value
