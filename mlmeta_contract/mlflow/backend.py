"""Which backend records the experiments: ``MLMETA_TRACKING_BACKEND`` (the Lambdas, the pipeline step, mlmeta.track),
and the name of the variable that says where the MLflow server is. Names only: what every Lambda's
settings read costs no import of the REST client (client.py), which only an MLflow backend uses."""

from __future__ import annotations

import os
from collections.abc import Mapping

TRACKING_BACKEND_ENV_VAR = "MLMETA_TRACKING_BACKEND"
TRACKING_URI_ENV_VAR = "MLMETA_MLFLOW_TRACKING_URI"  # http(s)://host:port or a SageMaker MLflow ARN
SAGEMAKER = "sagemaker"
MLFLOW = "mlflow"
BACKENDS = (SAGEMAKER, MLFLOW)


def tracking_backend(environ: Mapping[str, str] | None = None) -> str:
    """``sagemaker`` (also when unset) or ``mlflow``; ValueError naming the bad value otherwise."""
    value = (os.environ if environ is None else environ).get(TRACKING_BACKEND_ENV_VAR, "").strip() or SAGEMAKER
    if value not in BACKENDS:
        raise ValueError(f"{TRACKING_BACKEND_ENV_VAR}={value!r} is not a tracking backend: set it to {' or '.join(BACKENDS)}")
    return value
