"""Runs a named query on the engine the caller chose: DuckDB over a local lake directory, or Athena.

The one place that turns "--lake DIR" / "--athena [--env ...]" (or ``lake=`` / ``athena=`` in Python)
into an engine call, shared by ``mlmeta query``, ``mlmeta plot`` and ``mlmeta.analytics``::

    run_named("metric_history", [pipeline, "auc", "2026-01-01", "2026-12-31"], lake=Path("out/demo/lake"))
    run_named("metric_history", values, athena=AthenaTarget(env="prod"))

Every failure (unknown query, missing lake, DuckDB or Athena error, no credentials, refused request,
a parameter value the query found nothing for: ``mlmeta.queries.unknown_values``) is a ``QueryError``
with a one-line message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlmeta.config import DEFAULT_ENVIRONMENT, UnknownEnvironmentError, get_environment
from mlmeta.queries.catalog import NamedQuery, QueryError, get_query
from mlmeta.queries.result import QueryResult
from mlmeta.queries.unknown_values import refuse_unknown_values

DEFAULT_TIMEOUT_SECONDS = 300.0

NO_CREDENTIALS_HINT = (
    "no AWS credentials found; configure AWS credentials (aws configure, AWS_PROFILE or AWS_* variables) "
    "or run the query locally with --lake DIR"
)


def make_athena_client(region: str) -> Any:
    """A boto3 Athena client for ``region`` with the default credential chain."""
    import boto3  # imported here: local queries need no AWS SDK start-up

    return boto3.client("athena", region_name=region)


@dataclass(frozen=True)
class AthenaTarget:
    """Where and how to run on Athena. None means "the environment's" (workgroup, database, region).

    ``client`` is a ready boto3 Athena client (e.g. from your own session, or a Stubber-wrapped one);
    otherwise ``client_factory(region)`` makes one (default: boto3's default credential chain).
    """

    env: str | None = None
    workgroup: str | None = None
    database: str | None = None
    region: str | None = None
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    client: Any = None
    client_factory: Callable[[str], Any] | None = None


def run_named(
    query: str | NamedQuery,
    values: Sequence[object],
    *,
    lake: Path | str | None = None,
    athena: AthenaTarget | None = None,
) -> QueryResult:
    """Run ``query`` (a name from ``mlmeta/queries/sql/`` or a loaded NamedQuery) with already-typed ``values``
    on exactly one engine: ``lake`` (DuckDB over that directory) or ``athena``."""
    if (lake is None) == (athena is None):
        raise QueryError("choose one engine: a lake directory (--lake DIR) or Athena (--athena), not both or neither")
    named = get_query(query) if isinstance(query, str) else query
    if lake is not None:
        # Imported here so Athena runs do not load DuckDB.
        from mlmeta.queries.local_engine import run_local

        result = run_local(named, list(values), Path(lake))
    else:
        result = _run_on_athena(named, values, athena)
    refuse_unknown_values(named, values, result)
    return result


def _run_on_athena(query: NamedQuery, values: Sequence[object], target: AthenaTarget) -> QueryResult:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    from mlmeta.queries.athena_engine import AthenaQueryError, PollPolicy, run_athena

    try:
        env = get_environment(target.env or DEFAULT_ENVIRONMENT)
    except UnknownEnvironmentError as err:
        raise QueryError(str(err)) from None
    try:
        client = target.client
        if client is None:
            # Looked up at call time, so tests (and callers) can replace the module's factory.
            client = (target.client_factory or make_athena_client)(target.region or env.region)
        return run_athena(
            query,
            values,
            client=client,
            workgroup=target.workgroup or env.athena_workgroup_name,
            database=target.database or env.glue_database_name,
            poll=PollPolicy(timeout=target.timeout),
        )
    except AthenaQueryError as err:
        raise QueryError(str(err)) from None
    except NoCredentialsError:
        raise QueryError(NO_CREDENTIALS_HINT) from None
    except ClientError as err:
        info = err.response.get("Error", {})
        message = " ".join(str(info.get("Message", err)).split())
        raise QueryError(f"Athena refused the request ({info.get('Code', 'error')}): {message}") from None
    except BotoCoreError as err:  # endpoint unreachable, bad parameter length, ...
        raise QueryError(f"AWS call failed: {' '.join(str(err).split())}") from None
