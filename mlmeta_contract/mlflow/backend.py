"""Which backend records the experiments: ``MLMETA_TRACKING_BACKEND`` (the Lambdas, the pipeline step, mlmeta.track)."""

from __future__ import annotations

import os
from collections.abc import Mapping

TRACKING_BACKEND_ENV_VAR = "MLMETA_TRACKING_BACKEND"
SAGEMAKER = "sagemaker"
MLFLOW = "mlflow"
BACKENDS = (SAGEMAKER, MLFLOW)


def tracking_backend(environ: Mapping[str, str] | None = None) -> str:
    """``sagemaker`` (also when unset) or ``mlflow``; ValueError naming the bad value otherwise."""
    value = (os.environ if environ is None else environ).get(TRACKING_BACKEND_ENV_VAR, "").strip() or SAGEMAKER
    if value not in BACKENDS:
        raise ValueError(f"{TRACKING_BACKEND_ENV_VAR}={value!r} is not a tracking backend: set it to {' or '.join(BACKENDS)}")
    return value
