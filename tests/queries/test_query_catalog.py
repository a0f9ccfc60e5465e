"""The query catalog: header parsing, parameter binding and placeholder counting (mlmeta.queries.catalog)."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from mlmeta.queries.catalog import QueryError, count_placeholders, load_queries, parse_query_file

SHIPPED = {"metric_history", "metric_drift", "latest_metrics", "execution_comparison", "naming_violations"}

GOOD_HEADER = """\
-- Query: sample
-- Description: A sample.
-- Param 1: pipeline_name varchar - the pipeline
-- Param 2: from_dt date - first dt partition
"""


def write(tmp_path, text, name="sample"):
    path = tmp_path / f"{name}.sql"
    path.write_text(text)
    return path


def test_every_shipped_query_loads_with_typed_parameters():
    queries = load_queries()
    assert SHIPPED <= set(queries)
    for query in queries.values():
        assert query.description
        assert count_placeholders(query.sql) == len(query.parameters)
        assert all(p.help for p in query.parameters), f"{query.name}: every parameter needs a help text"
    assert [p.type for p in queries["metric_drift"].parameters] == ["varchar", "varchar", "date", "date", "bigint", "double", "double", "double"]


def test_a_good_header_parses_into_ordered_parameters(tmp_path):
    query = parse_query_file(write(tmp_path, GOOD_HEADER + "SELECT 1 FROM t WHERE a = ? AND dt >= ?\n"))
    assert query.name == "sample"
    assert [(p.name, p.type, p.help) for p in query.parameters] == [
        ("pipeline_name", "varchar", "the pipeline"),
        ("from_dt", "date", "first dt partition"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD_HEADER.replace("Query: sample", "Query: other") + "SELECT ?, ?", "header must start with '-- Query: sample'"),
        (GOOD_HEADER.replace("-- Description: A sample.\n", "") + "SELECT ?, ?", "needs a '-- Description:' line"),
        (GOOD_HEADER.replace("from_dt date", "from_dt timestamp") + "SELECT ?, ?", "has type 'timestamp'; use one of varchar, date, bigint, double"),
        (GOOD_HEADER.replace("Param 2:", "Param 3:") + "SELECT ?, ?", "numbered 1..2 without gaps"),
        (GOOD_HEADER + "SELECT ? FROM t", "header names 2 parameter(s) but the SQL has 1 '?'"),
        # A '?' in a string, a quoted identifier or a comment is not a placeholder.
        (GOOD_HEADER + "SELECT '?', \"a?\", ? -- ?\n/* ? */", "header names 2 parameter(s) but the SQL has 1 '?'"),
    ],
)
def test_a_bad_header_is_one_line_naming_the_file(tmp_path, text, message):
    with pytest.raises(QueryError) as caught:
        parse_query_file(write(tmp_path, text))
    assert message in str(caught.value)
    assert str(caught.value).startswith("sample.sql: ")
    assert "\n" not in str(caught.value)


def test_placeholders_ignore_strings_identifiers_and_comments():
    assert count_placeholders("SELECT ? FROM t WHERE a = 'it''s ?' AND \"col?\" = ? -- ?\n/* ?\n? */ AND b = ?") == 3


def test_wrong_parameter_count_names_the_expected_parameters():
    query = load_queries()["metric_history"]
    with pytest.raises(QueryError) as caught:
        query.bind(["churn-prediction-dev", "auc"])
    assert str(caught.value) == (
        "query 'metric_history' takes 4 parameter(s), got 2: "
        "--param <pipeline_name> --param <metric_name> --param <from_dt> --param <to_dt>"
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["p", "m", "2026-13-01", "2026-01-31", "10", "3", "0.8", "0.01"], "parameter 'from_dt' must be a date, got '2026-13-01'"),
        (["p", "m", "2026-01-01", "2026-01-31", "ten", "3", "0.8", "0.01"], "parameter 'window_size' must be a bigint, got 'ten'"),
        (["p", "m", "2026-01-01", "2026-01-31", "10", "nan", "0.8", "0.01"], "parameter 'z_threshold' must be a double, got 'nan'"),
    ],
)
def test_badly_typed_parameters_are_rejected(values, message):
    with pytest.raises(QueryError, match=message):
        load_queries()["metric_drift"].bind(values)


def test_bind_types_the_values():
    values = load_queries()["metric_drift"].bind(["p", "m", "2026-01-01", "2026-01-31", "10", "3", "0.8", "0.01"])
    assert values == ["p", "m", "2026-01-01", "2026-01-31", 10, 3.0, 0.8, 0.01]
    assert [type(v) for v in values[4:]] == [int, float, float, float]


def test_every_parameter_sits_in_a_where_clause():
    """Athena accepts execution parameters only in WHERE clauses ('SELECT ? FROM t' is refused)."""
    for query in load_queries().values():
        tree = sqlglot.parse_one(query.sql, read="trino")
        placeholders = list(tree.find_all(exp.Placeholder))
        assert len(placeholders) == len(query.parameters), query.name
        outside = [p.parent.sql("trino") for p in placeholders if p.find_ancestor(exp.Where) is None]
        assert outside == [], f"{query.name}: '?' outside a WHERE clause in {outside}"


def test_the_where_rule_check_would_catch_a_parameter_in_a_select_list():
    tree = sqlglot.parse_one("SELECT CAST(? AS bigint) AS n FROM t WHERE a = ?", read="trino")
    assert sorted(p.find_ancestor(exp.Where) is None for p in tree.find_all(exp.Placeholder)) == [False, True]


# --- Parameter constraints: declared in the header, enforced by both engines -------------------------

CONSTRAINED_HEADER = """\
-- Query: sample
-- Description: A sample.
-- Param 1: from_dt date <= to_dt - first dt partition
-- Param 2: to_dt date - last dt partition
-- Param 3: window_size bigint >= 1 <= 1000 - runs in the baseline
-- Param 4: z_threshold double > 0 - how far out is drift
-- Param 5: offset double >= -5 - a negative bound is a number, not the help text
SELECT 1 FROM t WHERE dt >= ? AND dt <= ? AND n >= ? AND z >= ? AND o >= ?
"""


def test_constraints_sit_between_the_type_and_the_help_text(tmp_path):
    query = parse_query_file(write(tmp_path, CONSTRAINED_HEADER))

    assert [(p.name, [str(c) for c in p.constraints], p.help) for p in query.parameters] == [
        ("from_dt", ["<= to_dt"], "first dt partition"),
        ("to_dt", [], "last dt partition"),
        ("window_size", [">= 1", "<= 1000"], "runs in the baseline"),
        ("z_threshold", ["> 0"], "how far out is drift"),
        ("offset", [">= -5"], "a negative bound is a number, not the help text"),
    ]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["2026-02-01", "2026-01-01", "10", "3", "0"],
         "parameter 'from_dt' must be <= 'to_dt', got from_dt 2026-02-01 and to_dt 2026-01-01"),
        (["2026-01-01", "2026-01-31", "0", "3", "0"], "parameter 'window_size' must be >= 1, got 0"),
        (["2026-01-01", "2026-01-31", "-5", "3", "0"], "parameter 'window_size' must be >= 1, got -5"),
        (["2026-01-01", "2026-01-31", "1001", "3", "0"], "parameter 'window_size' must be <= 1000, got 1001"),
        (["2026-01-01", "2026-01-31", "10", "0", "0"], "parameter 'z_threshold' must be > 0, got 0.0"),
        (["2026-01-01", "2026-01-31", "10", "3", "-5.5"], "parameter 'offset' must be >= -5, got -5.5"),
    ],
)
def test_bind_refuses_values_the_constraints_rule_out(tmp_path, values, message):
    query = parse_query_file(write(tmp_path, CONSTRAINED_HEADER))
    with pytest.raises(QueryError) as caught:
        query.bind(values)
    assert str(caught.value) == f"query 'sample': {message}"


def test_bind_accepts_the_bounds_themselves(tmp_path):
    query = parse_query_file(write(tmp_path, CONSTRAINED_HEADER))
    assert query.bind(["2026-01-01", "2026-01-01", "1", "0.001", "-5"]) == ["2026-01-01", "2026-01-01", 1, 0.001, -5.0]


def test_check_refuses_typed_values_of_python_callers(tmp_path):
    """run_local and run_athena check typed values too: the API and the demo pass them without bind()."""
    query = parse_query_file(write(tmp_path, CONSTRAINED_HEADER))
    with pytest.raises(QueryError, match="parameter 'window_size' must be a bigint, got True"):
        query.check(["2026-01-01", "2026-01-31", True, 3.0, 0.0])
    with pytest.raises(QueryError, match="parameter 'z_threshold' must be > 0, got -1"):
        query.check(["2026-01-01", "2026-01-31", 10, -1, 0.0])
    with pytest.raises(QueryError, match="takes 5 parameter"):
        query.check(["2026-01-01"])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("-- Param 1: from_dt varchar >= 1 - x", "parameter 'from_dt' of type varchar cannot have constraints"),
        ("-- Param 1: from_dt date >= soon - x", "constraint >= soon of parameter 'from_dt' needs a date or another parameter's name"),
        ("-- Param 1: from_dt date <= window_size - x", "'from_dt' (date) is compared with 'window_size' (bigint)"),
    ],
)
def test_a_bad_constraint_is_one_line_naming_the_file(tmp_path, line, message):
    text = CONSTRAINED_HEADER.replace(CONSTRAINED_HEADER.splitlines()[2], line)
    with pytest.raises(QueryError) as caught:
        parse_query_file(write(tmp_path, text))
    assert str(caught.value).startswith("sample.sql: ") and message in str(caught.value)


def test_the_shipped_queries_declare_their_ranges():
    queries = load_queries()
    constraints = {(q.name, p.name): [str(c) for c in p.constraints] for q in queries.values() for p in q.parameters}
    assert constraints[("metric_drift", "window_size")] == [">= 1"]
    assert constraints[("metric_drift", "z_threshold")] == ["> 0"]
    assert constraints[("metric_drift", "min_change")] == [">= 0"]
    # Every query with a dt range orders it: from_dt after to_dt would silently return no rows.
    ranged = [q.name for q in queries.values() if {"from_dt", "to_dt"} <= {p.name for p in q.parameters}]
    assert ranged and all(constraints[(name, "from_dt")] == ["<= to_dt"] for name in ranged)
