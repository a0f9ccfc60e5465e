"""``mlmeta.track(...)``: a context manager that names, tags and records one EDA run by the convention.

    with mlmeta.track(use_case="churn-prediction", topic="feature-selection") as run:
        run.log_params({"max_depth": 5}); run.log_metric("auc", 0.91, step=1)

In order, so that a refusal leaves nothing behind: the parts are checked against the convention (no
call made), then the user is read from the caller's identity when ``user=`` is not given, then the
backend creates (or reuses) the experiment, trial and run. Leaving the block ends the run: Completed,
or Failed with the exception's message (the exception goes on).
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date as Date, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from mlmeta_contract.naming import ConventionError, NamingConvention, resolve_convention
from mlmeta.track.backends import MLFLOW, chosen_backend, mlflow_tracking_uri
from mlmeta.track.errors import BackendError, TrackingError
from mlmeta.track.identity import normalised_user, user_from_arn
from mlmeta.track.names import auto_run, check_parts, eda_environment, eda_names
from mlmeta.track.run import Backend, Run, describe_failure


@contextmanager
def track(
    *,
    use_case: str,
    topic: str,
    run: str | None = None,
    user: str | None = None,
    date: str | Date | None = None,
    env: str | None = None,
    backend: str | None = None,
    session: Any = None,
    tracking_uri: str | None = None,
) -> Iterator[Run]:
    """Track one EDA run of ``use_case`` on ``topic``.

    ``run``: the run's one-word name (default: the trial's next ``runN``; an existing run is reused).
    ``user``: the ``{user}`` of the names (default: from the caller's identity). ``date``: the trial's
    day (default: today, UTC). ``env``: the configured environment (default: the one hosting EDA).
    ``backend``: ``sagemaker`` or ``mlflow`` (default: ``$MLMETA_TRACKING_BACKEND``, else sagemaker).
    ``session``: the boto3 Session of the SageMaker backend (default: a new one). ``tracking_uri``:
    the MLflow server (default: ``$MLMETA_MLFLOW_TRACKING_URI``).
    """
    connected = checked_and_connected(use_case=use_case, topic=topic, run=run, user=user, date=date, env=env,
                                      backend=backend, session=session, tracking_uri=tracking_uri)
    names = eda_names(use_case, connected.user, topic, run or auto_run(1), date, connected.environment, connected.convention)
    names = connected.target.start(names, run_given=run is not None, started=datetime.now(UTC))
    current = Run(names, connected.target)
    try:
        yield current
    except BaseException as error:
        current._finish(describe_failure(error), datetime.now(UTC))
        raise
    current._finish(None, datetime.now(UTC))


@dataclass(frozen=True)
class Connected:
    """What ``track`` and ``runs`` work with once the parts are checked: the backend's client, the runs'
    ``{user}``, the environment's name and the naming convention."""

    target: Backend
    user: str
    environment: str
    convention: NamingConvention


def checked_and_connected(
    *, use_case: str, topic: str, run: str | None, user: str | None, date: str | Date | None, env: str | None,
    backend: str | None, session: Any, tracking_uri: str | None,
) -> Connected:
    """The backend's name, the convention, the parts and the environment checked (no call made), then
    the backend connected (the caller's identity read when ``user`` is None)."""
    chosen = chosen_backend(backend)
    convention = naming_convention()
    check_parts(use_case, topic, run, user, date, convention)
    environment = eda_environment(env, use_case).name
    target, who = connect(chosen, user, session, tracking_uri, convention)
    return Connected(target, who, environment, convention)


def connect(chosen: str, user: str | None, session: Any, tracking_uri: str | None, convention: NamingConvention) -> tuple[Backend, str]:
    """The backend's client and the run's ``{user}``: ``user``, or read from the caller's identity."""
    if chosen == MLFLOW:
        return _mlflow_backend(tracking_uri, user, session, convention)
    return _sagemaker_backend(session, user, convention)


def naming_convention() -> NamingConvention:
    try:
        return resolve_convention()
    except ConventionError as err:
        raise TrackingError(str(err)) from None


def _sagemaker_backend(session: Any, user: str | None, convention: NamingConvention) -> tuple[Backend, str]:
    from mlmeta.track.sagemaker_backend import SageMakerRun

    session = session if session is not None else _new_session()
    who = user if user is not None else caller_user(session)
    return SageMakerRun(session.client("sagemaker"), session.client("sagemaker-metrics"), convention), who


def _mlflow_backend(tracking_uri: str | None, user: str | None, session: Any, convention: NamingConvention) -> tuple[Backend, str]:
    from mlmeta.track.mlflow_backend import MlflowRun, client_for

    uri = mlflow_tracking_uri(tracking_uri)
    if user is not None:
        who = user
    elif uri.startswith("arn:"):
        who = caller_user(session if session is not None else _new_session())
    else:
        who = os_user()
    return MlflowRun(client_for(uri), convention), who


def caller_user(session: Any) -> str:
    """The ``{user}`` of the caller's AWS identity (STS GetCallerIdentity)."""
    try:
        arn = session.client("sts").get_caller_identity()["Arn"]
    except (BotoCoreError, ClientError) as err:
        raise BackendError(f"cannot read the caller's identity (STS GetCallerIdentity) to name the run: {err}; "
                           "check your AWS credentials, or pass user='<you>'") from None
    return user_from_arn(arn)


def os_user() -> str:
    """The login name, as MLflow records it (``mlflow.user``), normalised to the convention's user word."""
    login = getpass.getuser()
    user = normalised_user(login)
    if user is None:
        raise TrackingError(f"cannot name the run after the login {login!r}: pass user='<you>'")
    return user


def _new_session() -> Any:
    import boto3

    return boto3.session.Session()
