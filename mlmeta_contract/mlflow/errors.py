"""What talking to MLflow can raise (client.py raises them). Apart from the client so that the handlers'
error policy (``mlmeta_runtime.errors``), which every handler loads at cold start, can tell a transient
MLflow failure without loading the REST client in the handlers that never talk to MLflow."""

from __future__ import annotations


class MlflowError(RuntimeError):
    """Talking to MLflow failed; the message says where and why."""


class MlflowUnreachable(MlflowError):
    """No usable answer from the tracking server (refused, timed out, 5xx): transient."""


class MlflowRejected(MlflowError):
    """MLflow answered 4xx: ``error_code`` is MLflow's (INVALID_PARAMETER_VALUE, RESOURCE_DOES_NOT_EXIST, ...)."""

    def __init__(self, message: str, *, error_code: str, status: int, detail: str) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.status = status
        self.detail = detail
