"""Parameters a named query found nothing for: an error naming them, not a misleading answer.

A query marks such a parameter with a result row whose ``kind`` starts with ``unknown_`` and whose
``name`` is the parameter's (``execution_comparison``: ``unknown_execution`` / ``execution_b`` for an
execution id with no snapshot in the dt range). The rows are the answer in the Athena console;
``run_named``, so ``mlmeta query`` and the notebook API, raises ``QueryError`` on them instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlmeta.queries.catalog import NamedQuery, QueryError
from mlmeta.queries.result import QueryResult

UNKNOWN_KIND_PREFIX = "unknown_"
# The dt range parameters of the queries that take one (mlmeta/queries/sql/*.sql headers).
_RANGE = ("from_dt", "to_dt")


def refuse_unknown_values(query: NamedQuery, values: Sequence[object], result: QueryResult) -> None:
    """QueryError naming each parameter ``result`` marks as unknown, with the value given for it."""
    if "kind" not in result.columns or "name" not in result.columns:
        return
    kind_at, name_at = result.columns.index("kind"), result.columns.index("name")
    given = {param.name: value for param, value in zip(query.parameters, values, strict=False)}
    unknown = [
        row[name_at]
        for row in result.rows
        if str(row[kind_at]).startswith(UNKNOWN_KIND_PREFIX) and row[name_at] in given
    ]
    if not unknown:
        return
    listed = ", ".join(f"{name} {given[name]!r}" for name in unknown)
    one = len(unknown) == 1
    where = f" from {given[_RANGE[0]]} to {given[_RANGE[1]]}" if all(p in given for p in _RANGE) else ""
    check = f"check the {'id' if one else 'ids'}" + (" and the dates" if where else "")
    raise QueryError(f"query {query.name!r}: unknown {listed}: no snapshots of {'it' if one else 'them'}{where}; {check}")
