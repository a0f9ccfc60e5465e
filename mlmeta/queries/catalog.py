"""Loads the named queries in ``queries/*.sql`` and binds their ``?`` parameters.

Each file is one Trino-dialect query with a header comment::

    -- Query: metric_history
    -- Description: One metric of one pipeline over time ...
    -- Param 1: pipeline_name varchar - the pipeline, e.g. churn-prediction-prod
    -- Param 2: from_dt date - first dt partition (YYYY-MM-DD), inclusive

Parameters are positional (Athena execution parameters): the header names each ``?`` in order.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PARAM_TYPES = ("varchar", "date", "bigint", "double")

_QUERY_RE = re.compile(r"^--\s*Query:\s*(?P<name>[a-z0-9_]+)\s*$")
_DESC_RE = re.compile(r"^--\s*Description:\s*(?P<text>.+?)\s*$")
_PARAM_RE = re.compile(r"^--\s*Param\s+(?P<pos>\d+):\s*(?P<name>[a-z0-9_]+)\s+(?P<type>\w+)\s*(?:-\s*(?P<help>.*?))?\s*$")
_SQL_TOKEN_RE = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\?", re.S)


class QueryError(ValueError):
    """A named query is unknown, malformed, or called with wrong parameters (one-line message)."""


@dataclass(frozen=True)
class QueryParameter:
    name: str
    type: str
    help: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    parameters: tuple[QueryParameter, ...]
    sql: str
    path: Path

    def bind(self, values: list[str]) -> list[object]:
        """Check and convert CLI strings to typed values, in parameter order."""
        if len(values) != len(self.parameters):
            expected = " ".join(f"--param <{p.name}>" for p in self.parameters) or "no --param"
            raise QueryError(
                f"query {self.name!r} takes {len(self.parameters)} parameter(s), got {len(values)}: {expected}"
            )
        return [_convert(self.name, p, v) for p, v in zip(self.parameters, values, strict=True)]


def _convert(query: str, param: QueryParameter, raw: str) -> object:
    try:
        if param.type == "varchar":
            return raw
        if param.type == "date":
            return date.fromisoformat(raw).isoformat()
        if param.type == "bigint":
            return int(raw)
        if param.type == "double":
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError(raw)
            return value
    except ValueError:
        pass
    raise QueryError(f"query {query!r}: parameter {param.name!r} must be a {param.type}, got {raw!r}")


def athena_literal(value: object) -> str:
    """Render a bound value as the SQL literal text Athena's ExecutionParameters expect."""
    if isinstance(value, bool):
        raise TypeError("booleans are not query parameters")
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def count_placeholders(sql: str) -> int:
    """Number of ``?`` outside string literals, quoted identifiers and comments."""
    return sum(1 for m in _SQL_TOKEN_RE.finditer(sql) if m.group(0) == "?")


def parse_query_file(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    name = description = None
    params: dict[int, QueryParameter] = {}
    for line in text.splitlines():
        if not line.startswith("--"):
            if line.strip():
                break  # the header ends at the first SQL line
            continue
        if m := _QUERY_RE.match(line):
            name = m["name"]
        elif m := _DESC_RE.match(line):
            description = m["text"]
        elif m := _PARAM_RE.match(line):
            if m["type"] not in PARAM_TYPES:
                raise QueryError(f"{path.name}: parameter {m['name']!r} has type {m['type']!r}; use one of {', '.join(PARAM_TYPES)}")
            params[int(m["pos"])] = QueryParameter(m["name"], m["type"], m["help"] or "")
    if name != path.stem:
        raise QueryError(f"{path.name}: header must start with '-- Query: {path.stem}'")
    if not description:
        raise QueryError(f"{path.name}: header needs a '-- Description:' line")
    if sorted(params) != list(range(1, len(params) + 1)):
        raise QueryError(f"{path.name}: parameters must be numbered 1..{len(params)} without gaps")
    placeholders = count_placeholders(text)
    if placeholders != len(params):
        raise QueryError(f"{path.name}: header names {len(params)} parameter(s) but the SQL has {placeholders} '?'")
    ordered = tuple(params[i] for i in sorted(params))
    return NamedQuery(name=name, description=description, parameters=ordered, sql=text, path=path)


def queries_dir() -> Path:
    """``queries/`` of this checkout, or ``$MLMETA_QUERIES_DIR``."""
    override = os.environ.get("MLMETA_QUERIES_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "queries"


def load_queries(directory: Path | None = None) -> dict[str, NamedQuery]:
    directory = directory or queries_dir()
    if not directory.is_dir():
        raise QueryError(f"query directory {directory} does not exist")
    return {q.name: q for q in (parse_query_file(p) for p in sorted(directory.glob("*.sql")))}


def get_query(name: str, directory: Path | None = None) -> NamedQuery:
    queries = load_queries(directory)
    try:
        return queries[name]
    except KeyError:
        raise QueryError(f"unknown query {name!r}; known queries: {', '.join(sorted(queries))}") from None
