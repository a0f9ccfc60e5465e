"""The handlers' AWS error policy, in one place.

- Transient errors (throttling, HTTP 5xx, connection failures) are raised: Lambda retries the
  asynchronous invocation (twice), then the event lands in the on-failure destination. Nothing is
  swallowed, nothing is lost. On the MLflow backend, ``MlflowUnreachable`` (no answer, 5xx) is the
  transient kind and ``MlflowRejected`` (4xx) the permanent one; both are raised the same way.
- Every other AWS error is raised too (a missing permission is a deployment bug that must show),
  except the "not found" answers a handler expects and handles itself (``is_not_found``).
- Malformed events are never raised: they are quarantined (``quarantine.py``), because retrying
  them cannot help.
- ``NotReadyYet``: AWS has not caught up with what the event reports (eventual consistency, e.g.
  Search not yet showing every logged metric). Raised like a transient error, so Lambda retries later.

``classify`` only labels an error for the log line; it never decides whether to raise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ConnectionError as BotocoreConnectionError, HTTPClientError

from mlmeta_contract.mlflow.errors import MlflowError, MlflowUnreachable
from mlmeta_runtime.retry import GaveUp

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
SERVER_ERROR_CODES = frozenset({"InternalError", "InternalFailure", "InternalServerError", "ServiceUnavailable", "InternalServiceError"})
# SageMaker answers a missing experiment entity with ResourceNotFound; some implementations (moto)
# with ValidationException "Could not find ..."; S3's HeadObject with a bare 404.
NOT_FOUND_CODES = frozenset({"ResourceNotFound", "ResourceNotFoundException", "NoSuchKey", "NotFound", "404"})
_NOT_FOUND_MESSAGES = ("could not find", "does not exist", "not found")


class NotReadyYet(RuntimeError):
    """What the event reports is not visible in AWS yet; retrying later will find it. The message says what."""


def error_code(err: BaseException) -> str:
    if isinstance(err, ClientError):
        return str(err.response.get("Error", {}).get("Code", ""))
    return ""


def http_status(err: BaseException) -> int:
    if isinstance(err, ClientError):
        return int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    return 0


def is_transient(err: BaseException) -> bool:
    """Throttling, a 5xx, or no answer at all: worth retrying later."""
    if isinstance(err, (BotocoreConnectionError, HTTPClientError)):
        return True
    code = error_code(err)
    return code in THROTTLING_CODES or code in SERVER_ERROR_CODES or http_status(err) >= 500


def is_not_found(err: BaseException) -> bool:
    if not isinstance(err, ClientError) or is_transient(err):
        return False
    code = error_code(err)
    if code in NOT_FOUND_CODES:
        return True
    message = str(err.response.get("Error", {}).get("Message", "")).lower()
    return code == "ValidationException" and any(text in message for text in _NOT_FOUND_MESSAGES)


def classify(err: BaseException) -> str:
    """``transient`` or ``permanent``, for the log line that goes with a raised AWS error."""
    return "transient" if is_transient(err) else "permanent"


@contextmanager
def raising_aws_errors(logger: Any, what: str) -> Iterator[None]:
    """Log an AWS error with its class (transient or permanent), or a wait that gave up, and raise it
    so that Lambda retries the event."""
    try:
        yield
    except (ClientError, BotoCoreError) as err:
        kind = classify(err)
        log = logger.warning if kind == "transient" else logger.error
        log(
            f"{kind} AWS error while {what}: {err}; raising so that Lambda retries the event",
            extra={"error_class": kind, "error_code": error_code(err) or type(err).__name__},
        )
        raise
    except GaveUp as err:
        logger.error(f"{err} while {what}; raising so that Lambda retries the event", extra={"error_class": "gave-up"})
        raise
    except MlflowError as err:
        # The MLflow backend: no answer (transient) or a refusal (a permission, a missing resource: permanent).
        kind = "transient" if isinstance(err, MlflowUnreachable) else "permanent"
        log = logger.warning if kind == "transient" else logger.error
        log(
            f"{kind} MLflow error while {what}: {err}; raising so that Lambda retries the event",
            extra={"error_class": kind, "error_code": getattr(err, "error_code", None) or type(err).__name__},
        )
        raise
    except NotReadyYet as err:
        logger.warning(
            f"not visible in AWS yet while {what}: {err}; raising so that Lambda retries the event",
            extra={"error_class": "transient", "error_code": type(err).__name__},
        )
        raise
