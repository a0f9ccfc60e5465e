"""Loads the named queries in ``mlmeta/queries/sql/*.sql`` (package data) and binds their ``?`` parameters.

Each file is one Trino-dialect query with a header comment::

    -- Query: metric_history
    -- Description: One metric of one pipeline over time ...
    -- Param 1: pipeline_name varchar - the pipeline, e.g. churn-prediction-prod
    -- Param 2: from_dt date <= to_dt - first dt partition (YYYY-MM-DD), inclusive
    -- Param 3: to_dt date - last dt partition (YYYY-MM-DD), inclusive
    -- Param 4: window_size bigint >= 1 - how many previous runs form the baseline

Parameters are positional (Athena execution parameters): the header names each ``?`` in order.
Between a parameter's type and its help text, constraints (``>= 1``, ``> 0``, ``<= to_dt``: an operator
and a number or another parameter's name) say which values the query accepts. Both engines refuse any
other value with one line (``NamedQuery.check``), so ``mlmeta query``, ``mlmeta plot`` and
``mlmeta.analytics`` validate the same way on DuckDB and on Athena.
"""

from __future__ import annotations

import math
import operator
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

PARAM_TYPES = ("varchar", "date", "bigint", "double")

_QUERY_RE = re.compile(r"^--\s*Query:\s*(?P<name>[a-z0-9_]+)\s*$")
_DESC_RE = re.compile(r"^--\s*Description:\s*(?P<text>.+?)\s*$")
_PARAM_RE = re.compile(
    r"^--\s*Param\s+(?P<pos>\d+):\s*(?P<name>[a-z0-9_]+)\s+(?P<type>\w+)"
    r"(?P<constraints>(?:\s*(?:>=|<=|>|<)\s*[A-Za-z0-9_.+-]+)*)\s*(?:-\s*(?P<help>.*?))?\s*$"
)
_CONSTRAINT_RE = re.compile(r"(?P<op>>=|<=|>|<)\s*(?P<operand>[A-Za-z0-9_.+-]+)")
_COMPARISONS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
# Types whose values have an order, so they can carry constraints.
_ORDERED_TYPES = ("date", "bigint", "double")
_SQL_TOKEN_RE = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\?", re.S)


class QueryError(ValueError):
    """A named query is unknown, malformed, or called with wrong parameters (one-line message)."""


@dataclass(frozen=True)
class Constraint:
    """``<parameter> <op> <operand>``: the operand is a literal of the parameter's type or another parameter's name."""

    op: str
    operand: str

    def __str__(self) -> str:
        return f"{self.op} {self.operand}"


@dataclass(frozen=True)
class QueryParameter:
    name: str
    type: str
    help: str
    constraints: tuple[Constraint, ...] = ()


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
        typed = [_convert(self.name, p, v) for p, v in zip(self.parameters, values, strict=True)]
        self.check(typed)
        return typed

    def check(self, values: Sequence[object]) -> None:
        """Refuse typed ``values`` that break the header's count or constraints (one-line QueryError)."""
        if len(values) != len(self.parameters):
            raise QueryError(f"query {self.name!r} takes {len(self.parameters)} parameter(s), got {len(values)}")
        by_name = dict(zip((p.name for p in self.parameters), values, strict=True))
        types = {p.name: p.type for p in self.parameters}
        for param in self.parameters:
            for constraint in param.constraints:
                value = _ordered(self.name, param.name, param.type, by_name[param.name])
                if constraint.operand in by_name:
                    other = constraint.operand
                    bound = _ordered(self.name, other, types[other], by_name[other])
                    if not _COMPARISONS[constraint.op](value, bound):
                        raise QueryError(
                            f"query {self.name!r}: parameter {param.name!r} must be {constraint.op} {other!r}, "
                            f"got {param.name} {by_name[param.name]} and {other} {by_name[other]}"
                        )
                elif not _COMPARISONS[constraint.op](value, _literal(param.type, constraint.operand)):
                    raise QueryError(f"query {self.name!r}: parameter {param.name!r} must be {constraint}, got {by_name[param.name]!r}")


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


def _literal(type_: str, text: str) -> object:
    """A constraint's literal operand as a value of the parameter's type (ValueError if it is none)."""
    if type_ == "date":
        return date.fromisoformat(text)
    if type_ == "bigint":
        return int(text)
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _ordered(query: str, name: str, type_: str, value: object) -> object:
    """A typed value as something to compare: a date for date parameters, else the number."""
    if type_ == "date" and isinstance(value, str | date):
        try:
            return value if isinstance(value, date) else date.fromisoformat(value)
        except ValueError:
            pass
    elif type_ == "bigint" and isinstance(value, int) and not isinstance(value, bool):
        return value
    elif type_ == "double" and isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return value
    raise QueryError(f"query {query!r}: parameter {name!r} must be a {type_}, got {value!r}")


def _parse_constraints(path: Path, name: str, type_: str, text: str) -> tuple[Constraint, ...]:
    constraints = tuple(Constraint(m["op"], m["operand"]) for m in _CONSTRAINT_RE.finditer(text))
    if constraints and type_ not in _ORDERED_TYPES:
        raise QueryError(f"{path.name}: parameter {name!r} of type {type_} cannot have constraints; only {', '.join(_ORDERED_TYPES)} can")
    return constraints


def _check_constraint_operands(path: Path, params: Sequence[QueryParameter]) -> None:
    types = {p.name: p.type for p in params}
    for param in params:
        for constraint in param.constraints:
            if constraint.operand in types:
                if types[constraint.operand] != param.type:
                    raise QueryError(
                        f"{path.name}: parameter {param.name!r} ({param.type}) is compared with "
                        f"{constraint.operand!r} ({types[constraint.operand]}); compare parameters of one type"
                    )
                continue
            try:
                _literal(param.type, constraint.operand)
            except ValueError:
                raise QueryError(
                    f"{path.name}: constraint {constraint} of parameter {param.name!r} needs a {param.type} "
                    f"or another parameter's name, got {constraint.operand!r}"
                ) from None


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
            constraints = _parse_constraints(path, m["name"], m["type"], m["constraints"])
            params[int(m["pos"])] = QueryParameter(m["name"], m["type"], m["help"] or "", constraints)
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
    _check_constraint_operands(path, ordered)
    return NamedQuery(name=name, description=description, parameters=ordered, sql=text, path=path)


def queries_dir() -> Path:
    """``$MLMETA_QUERIES_DIR``, or the package's ``sql/`` (package data: there in a wheel install too)."""
    override = os.environ.get("MLMETA_QUERIES_DIR")
    if override:
        return Path(override)
    # pip installs packages unpacked, where files() is a Path; a zipped package would need as_file().
    return Path(str(resources.files(__package__) / "sql"))


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
