"""Which backend holds the pipeline's analysis trial, for the handlers that read it (the snapshotter and
the reconciler): ``MLMETA_TRACKING_BACKEND`` (``sagemaker``, the default, or ``mlflow``) and, for MLflow,
``MLMETA_MLFLOW_TRACKING_URI`` (``http(s)://host:port`` or a SageMaker MLflow App / tracking server ARN).

Read once at import like the other settings (settings.py): a bad value fails the Lambda's init with one
line naming the variable. The MLflow client is built then too; for an ARN its SigV4 signer takes the
function role's credentials.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from mlmeta_contract.mlflow.backend import MLFLOW, TRACKING_BACKEND_ENV_VAR, tracking_backend
from mlmeta_contract.mlflow.client import TRACKING_URI_ENV_VAR, MlflowClient
from mlmeta_runtime.settings import ConfigurationError


@dataclass(frozen=True)
class TrackingBackend:
    name: str
    mlflow_tracking_uri: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> TrackingBackend:
        environ = os.environ if environ is None else environ
        try:
            name = tracking_backend(environ)
        except ValueError as err:
            raise ConfigurationError(str(err)) from None
        if name != MLFLOW:
            return cls(name)
        uri = environ.get(TRACKING_URI_ENV_VAR, "").strip()
        if not uri:
            raise ConfigurationError(
                f"{TRACKING_URI_ENV_VAR} is not set: {TRACKING_BACKEND_ENV_VAR}=mlflow needs the MLflow tracking URI "
                "(http(s)://host:port or a SageMaker MLflow App / tracking server ARN)"
            )
        backend = cls(name, uri)
        backend.mlflow_client()  # a malformed URI or ARN fails here, at init
        return backend

    def mlflow_client(self, **options: object) -> MlflowClient | None:
        """The MLflow client of this backend, None for SageMaker."""
        if self.mlflow_tracking_uri is None:
            return None
        try:
            return MlflowClient.from_uri(self.mlflow_tracking_uri, **options)  # type: ignore[arg-type]
        except ValueError as err:
            raise ConfigurationError(f"{TRACKING_URI_ENV_VAR}: {err}") from None
