"""Runs a named query on Amazon Athena and returns its rows as a typed ``QueryResult``.

The boto3 client is passed in (never created here), so callers choose region and credentials
and tests can hand in a client wrapped in botocore's Stubber.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from mlmeta.queries.catalog import NamedQuery, athena_literal
from mlmeta.queries.result import QueryResult

TERMINAL_STATES = ("SUCCEEDED", "FAILED", "CANCELLED")

# Athena's result types (ColumnInfo.Type) whose text converts to a Python number or bool.
_INTEGER_TYPES = frozenset({"tinyint", "smallint", "integer", "int", "bigint"})
# decimal becomes float: results are for display and charts, not for money arithmetic.
_FLOAT_TYPES = frozenset({"double", "float", "real", "decimal"})

# GetQueryResults returns at most 1000 rows a call.
_PAGE_SIZE = 1000


class AthenaQueryError(RuntimeError):
    """The query did not succeed on Athena; the message is one line and names the execution id."""


@dataclass(frozen=True)
class PollPolicy:
    """How to wait for a query: exponential backoff between status checks, bounded in total."""

    first_delay: float = 0.25
    max_delay: float = 5.0
    backoff: float = 2.0
    timeout: float = 300.0
    # Injected so tests can wait without sleeping.
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def delays(self) -> Iterator[float]:
        delay = self.first_delay
        while True:
            yield delay
            delay = min(delay * self.backoff, self.max_delay)


def run_athena(
    query: NamedQuery,
    values: Sequence[object],
    *,
    client: Any,
    workgroup: str,
    database: str,
    poll: PollPolicy = PollPolicy(),
) -> QueryResult:
    """Start ``query`` with bound ``values``, wait for it, and read every result page."""
    execution_id = start_query(query, values, client=client, workgroup=workgroup, database=database)
    wait_for_query(client, execution_id, query_name=query.name, poll=poll)
    return fetch_results(client, execution_id)


def start_query(query: NamedQuery, values: Sequence[object], *, client: Any, workgroup: str, database: str) -> str:
    query.check(values)  # before any AWS call: the header's constraints hold on Athena as locally
    request: dict[str, Any] = {
        "QueryString": query.sql,
        "WorkGroup": workgroup,
        "QueryExecutionContext": {"Database": database},
    }
    # Athena rejects an empty ExecutionParameters list, so a query without '?' sends none.
    if values:
        request["ExecutionParameters"] = [athena_literal(v) for v in values]
    return client.start_query_execution(**request)["QueryExecutionId"]


def wait_for_query(client: Any, execution_id: str, *, query_name: str, poll: PollPolicy) -> None:
    """Return once the query SUCCEEDED; raise AthenaQueryError if it failed, was cancelled or timed out."""
    deadline = poll.clock() + poll.timeout
    delays = poll.delays()
    while True:
        status = client.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]["Status"]
        state = status["State"]
        if state == "SUCCEEDED":
            return
        if state in TERMINAL_STATES:
            reason = _one_line(status.get("StateChangeReason") or "no reason given")
            raise AthenaQueryError(f"Athena query {query_name!r} {state} (execution {execution_id}): {reason}")
        remaining = deadline - poll.clock()
        if remaining <= 0:
            raise AthenaQueryError(
                f"Athena query {query_name!r} still {state} after {poll.timeout:g}s; "
                f"{_stop(client, execution_id)} (raise --timeout to wait longer)"
            )
        poll.sleep(min(next(delays), remaining))


def _stop(client: Any, execution_id: str) -> str:
    """Stop a query nobody waits for any more (it would still scan and bill bytes); say what happened."""
    try:
        client.stop_query_execution(QueryExecutionId=execution_id)
    except ClientError as err:
        return f"could not stop execution {execution_id}: {_one_line(str(err))}"
    return f"stopped execution {execution_id}"


def fetch_results(client: Any, execution_id: str) -> QueryResult:
    """Read all pages; the first row of the first page is the header Athena adds to SELECT results."""
    columns: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    rows: list[tuple[Any, ...]] = []
    token: str | None = None
    first_page = True
    while first_page or token:
        request: dict[str, Any] = {"QueryExecutionId": execution_id, "MaxResults": _PAGE_SIZE}
        if token:
            request["NextToken"] = token
        page = client.get_query_results(**request)
        result_set = page["ResultSet"]
        page_rows = result_set.get("Rows", [])
        if first_page:
            column_info = result_set["ResultSetMetadata"]["ColumnInfo"]
            columns = tuple(c["Name"] for c in column_info)
            types = tuple(c["Type"].lower() for c in column_info)
            page_rows = page_rows[1:]
            first_page = False
        rows.extend(_convert_row(row, types) for row in page_rows)
        token = page.get("NextToken")
    return QueryResult(columns=columns, rows=tuple(rows))


def _convert_row(row: dict[str, Any], types: tuple[str, ...]) -> tuple[Any, ...]:
    data = row.get("Data", [])
    return tuple(convert_value(datum.get("VarCharValue"), athena_type) for datum, athena_type in zip(data, types, strict=True))


def convert_value(text: str | None, athena_type: str) -> Any:
    """Athena returns every value as text; turn it into the Python type its column declares."""
    if text is None:  # SQL NULL: Athena omits VarCharValue
        return None
    # Parameterised types arrive as e.g. "decimal" with Precision/Scale apart, but be lenient with "decimal(10,2)".
    base = athena_type.split("(", 1)[0]
    if base in _INTEGER_TYPES:
        return int(text)
    if base in _FLOAT_TYPES:
        return float(text)  # also parses Athena's "NaN", "Infinity", "-Infinity"
    if base == "boolean":
        return text.lower() == "true"
    return text  # varchar, date, timestamp, map, array ... stay as Athena prints them


def _one_line(text: str) -> str:
    return " ".join(text.split())
