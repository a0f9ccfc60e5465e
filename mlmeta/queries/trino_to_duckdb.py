"""Translates a named query's Trino SQL (Athena engine v3) into DuckDB SQL with Athena's results.

sqlglot does the dialect translation; this module fixes the traps of docs/design.md §6 that sqlglot leaves
(each one measured, see docs/queries.md), and refuses clearly what it cannot translate faithfully.
The session settings that complete the translation (UTC, integer division) are ``SESSION_SETTINGS``;
the local engine applies them to every connection.
"""

from __future__ import annotations

import functools

import sqlglot
from sqlglot import exp
from sqlglot.dialects.trino import Trino
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

from mlmeta.queries.catalog import QueryError
from mlmeta_contract.lake.schema import TABLES

SESSION_SETTINGS = (
    # Athena's session time zone is UTC; DuckDB's follows the machine, which moves current_date and
    # every timestamp-with-time-zone -> date/varchar cast.
    "SET TimeZone = 'UTC'",
    # Trino: bigint / bigint is integer division truncated toward zero; DuckDB's '/' is always
    # floating point. With this setting DuckDB's '/' keeps integer operands integer, as Trino does,
    # for any expression (sqlglot can only do it for operands whose types it can infer).
    "SET integer_division = true",
)

# Trino functions DuckDB lacks and that have no faithful one-to-one translation.
UNSUPPORTED_FUNCTIONS = {
    "format_datetime": "its Joda pattern is not a strftime pattern; use date_format(x, '%Y-%m-%d %H:%i:%s'), which both engines run",
    "to_iso8601": "the lake's times are already ISO-8601 strings; select them as they are",
    "at_timezone": "the lake's times are UTC; convert time zones where the result is displayed",
    "map_agg": "DuckDB has no map_agg with Trino's duplicate-key behaviour; use array_agg or GROUP BY",
}

# Columns of type map<..> in the lake: UNNEST of one of them yields (key, value) rows in Trino.
MAP_COLUMNS = frozenset(c.name for t in TABLES for c in t.columns if c.type.startswith("map<"))


# Stands in for the n-th '?' while sqlglot translates; becomes DuckDB's $n afterwards.
_PARAMETER_MARK = "__mlmeta_parameter_"


@functools.lru_cache(maxsize=64)
def to_duckdb(sql: str) -> str:
    """DuckDB SQL for one Trino statement; raises QueryError (one line) for what cannot run locally.

    The n-th ``?`` of the Trino text becomes ``$n``: sqlglot reorders arguments in some translations
    (``date_add('day', ?, ?)`` becomes ``? + INTERVAL (?) DAY``), so positional ``?`` would bind
    values to the wrong places. Numbered parameters bind by number wherever they end up.
    """
    try:
        numbered, count = _number_parameters(sql)
        statements = [s for s in sqlglot.parse(numbered, read="trino") if s is not None]
    except SqlglotError as err:
        raise QueryError(f"cannot parse the query as Trino SQL: {_first_line(err)}") from None
    if len(statements) != 1:
        raise QueryError(f"a named query holds exactly one SQL statement, found {len(statements)}")
    tree = statements[0]
    _reject_untranslatable(tree)
    tree = _rewrite_bottom_up(tree)
    used = {int(p.name) for p in tree.find_all(exp.Placeholder) if p.name.isdigit()}
    if used != set(range(1, count + 1)):
        raise QueryError(f"translating to DuckDB lost parameter(s) {sorted(set(range(1, count + 1)) - used)}")
    return tree.sql(dialect="duckdb", comments=False)


def _number_parameters(sql: str) -> tuple[str, int]:
    """The SQL with its n-th '?' (a placeholder token, not a '?' in a string or comment) marked as n."""
    positions = [t.start for t in Trino().tokenize(sql) if t.token_type == TokenType.PLACEHOLDER]
    pieces, previous = [], 0
    for number, position in enumerate(positions, start=1):
        pieces += [sql[previous:position], f"{_PARAMETER_MARK}{number}"]
        previous = position + 1
    return "".join(pieces) + sql[previous:], len(positions)


def _reject_untranslatable(tree: exp.Expression) -> None:
    for node in tree.walk():
        if isinstance(node, exp.Identifier) and node.name.startswith("$"):
            raise QueryError(
                f'"{node.name}" is a hidden column of Athena\'s Hive tables; the local DuckDB engine has no such column'
            )
        if isinstance(node, exp.Anonymous) and node.name.lower() in UNSUPPORTED_FUNCTIONS:
            name = node.name.lower()
            raise QueryError(f"{name}() does not run on the local DuckDB engine: {UNSUPPORTED_FUNCTIONS[name]}")


def _rewrite_bottom_up(tree: exp.Expression) -> exp.Expression:
    """Apply ``_rewrite`` to every node, children before parents, so that rewrites nest
    (sqlglot's ``transform`` does not descend into a node it has just replaced)."""
    for node in reversed(list(tree.walk(bfs=False))):
        rewritten = _rewrite(node)
        if rewritten is not node:
            if node is tree:
                tree = rewritten
            else:
                node.replace(rewritten)
    return tree


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Column) and not node.table and node.name.startswith(_PARAMETER_MARK):
        return exp.Placeholder(this=node.name.removeprefix(_PARAMETER_MARK))
    if isinstance(node, exp.DateDiff):
        return _whole_unit_date_diff(node)
    if isinstance(node, exp.Format):
        # Trino's format() is Java's String.format ('%.3f'); DuckDB's format() is fmt ('{}') and would
        # return the pattern unchanged. printf has the same conversions for the common cases.
        return exp.Anonymous(this="printf", expressions=[node.this, *node.expressions])
    if isinstance(node, exp.Unnest) and isinstance(node.parent, exp.Join | exp.From) and _unnests_rows(node):
        return _lateral_unnest(node)
    return node


def _whole_unit_date_diff(node: exp.DateDiff) -> exp.Expression:
    """Trino counts whole units elapsed (23:00 -> 01:00 next day is 0 days); DuckDB's date_diff counts
    unit boundaries crossed (1 day). DuckDB's date_sub(part, start, end) counts whole units."""
    unit = node.args.get("unit")
    part = exp.Literal.string((unit.name if unit is not None else "day").lower())
    return exp.Anonymous(this="date_sub", expressions=[part, node.expression, node.this])


def _is_map_column(node: exp.Expression) -> bool:
    return isinstance(node, exp.Column) and node.name in MAP_COLUMNS


def _unnests_rows(node: exp.Unnest) -> bool:
    """Whether this UNNEST yields more than one column: several lists, or a map."""
    return len(node.expressions) > 1 or any(_is_map_column(arg) for arg in node.expressions)


def _lateral_unnest(node: exp.Unnest) -> exp.Expression:
    """``UNNEST(m) AS t(k, v)`` over a map, or ``UNNEST(a, b) AS t(x, y)`` over arrays, as Trino means it.

    DuckDB's table UNNEST takes one list and yields one column. A lateral subquery of SELECT-list
    unnests zips several lists into rows (padding the shorter with nulls, as Trino does).
    """
    columns = node.alias_column_names
    lists: list[exp.Expression] = []
    for argument in node.expressions:
        if _is_map_column(argument):
            lists += [exp.func("map_keys", argument.copy()), exp.func("map_values", argument.copy())]
        else:
            lists.append(argument.copy())
    if node.args.get("offset"):
        raise QueryError("UNNEST ... WITH ORDINALITY does not run on the local DuckDB engine")
    if len(lists) != len(columns):
        raise QueryError(
            f"UNNEST with {len(columns)} column alias(es) over {len(lists)} list(s) does not run on the local DuckDB engine"
            " (a map unnests into two columns only when it is a lake map column)"
        )
    select = exp.select(*(exp.alias_(exp.Unnest(expressions=[lst]), col) for lst, col in zip(lists, columns, strict=True)))
    return exp.Lateral(this=exp.Subquery(this=select), alias=exp.TableAlias(this=exp.to_identifier(node.alias)))


def _first_line(err: Exception) -> str:
    return " ".join(str(err).split("\n", 1)[0].split())
