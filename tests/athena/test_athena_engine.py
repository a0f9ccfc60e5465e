"""run_athena against a Stubber-wrapped boto3 Athena client (AWS's documented response shapes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from athena_shapes import query_execution, results_page

from mlmeta.queries.athena_engine import AthenaQueryError, PollPolicy, convert_value, run_athena
from mlmeta.queries.catalog import NamedQuery, QueryParameter

EXECUTION_ID = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"

METRIC_QUERY = NamedQuery(
    name="metric_history",
    description="one metric over time",
    parameters=(
        QueryParameter("pipeline_name", "varchar", ""),
        QueryParameter("from_dt", "date", ""),
        QueryParameter("min_count", "bigint", ""),
        QueryParameter("min_value", "double", ""),
    ),
    sql="SELECT dt, metric_value FROM metric_snapshots\n"
    "WHERE pipeline_name = ? AND dt >= ? AND metric_count >= ? AND metric_value >= ?",
    path=Path("metric_history.sql"),
)
PLAIN_QUERY = NamedQuery("row_count", "rows", (), "SELECT count(*) AS n FROM metric_snapshots", Path("row_count.sql"))

COLUMNS = [("dt", "varchar"), ("metric_value", "double"), ("metric_count", "bigint")]


def expect_start(stub, query, *, parameters=None, workgroup="mlmeta-dev", database="mlmeta_dev"):
    expected = {"QueryString": query.sql, "WorkGroup": workgroup, "QueryExecutionContext": {"Database": database}}
    if parameters is not None:
        expected["ExecutionParameters"] = parameters
    stub.add_response("start_query_execution", {"QueryExecutionId": EXECUTION_ID}, expected)


def expect_states(stub, *states, reason=None):
    for state in states:
        stub.add_response("get_query_execution", query_execution(EXECUTION_ID, state, reason), {"QueryExecutionId": EXECUTION_ID})


def expect_page(stub, page, token=None):
    expected = {"QueryExecutionId": EXECUTION_ID, "MaxResults": 1000}
    if token:
        expected["NextToken"] = token
    stub.add_response("get_query_results", page, expected)


def run(client, query, values, clock, **poll):
    return run_athena(
        query, values, client=client, workgroup="mlmeta-dev", database="mlmeta_dev",
        poll=PollPolicy(sleep=clock.sleep, clock=clock, **poll),
    )


def test_parameters_go_as_execution_parameter_literals(athena_client, athena_stub, clock):
    expect_start(athena_stub, METRIC_QUERY, parameters=["'o''brien-prod'", "'2026-01-05'", "3", "0.5"])
    expect_states(athena_stub, "SUCCEEDED")
    expect_page(athena_stub, results_page(COLUMNS, [], header=True))

    result = run(athena_client, METRIC_QUERY, ["o'brien-prod", "2026-01-05", 3, 0.5], clock)

    assert result.columns == ("dt", "metric_value", "metric_count")
    assert result.rows == ()


def test_query_without_parameters_sends_no_execution_parameters(athena_client, athena_stub, clock):
    # Athena rejects an empty ExecutionParameters list; the Stubber fails on any unexpected key.
    expect_start(athena_stub, PLAIN_QUERY)
    expect_states(athena_stub, "SUCCEEDED")
    expect_page(athena_stub, results_page([("n", "bigint")], [["42"]], header=True))

    assert run(athena_client, PLAIN_QUERY, [], clock).rows == ((42,),)


def test_workgroup_and_database_are_passed(athena_client, athena_stub, clock):
    expect_start(athena_stub, PLAIN_QUERY, workgroup="analytics", database="mlmeta_prod")
    expect_states(athena_stub, "SUCCEEDED")
    expect_page(athena_stub, results_page([("n", "bigint")], [["0"]], header=True))

    run_athena(PLAIN_QUERY, [], client=athena_client, workgroup="analytics", database="mlmeta_prod",
               poll=PollPolicy(sleep=clock.sleep, clock=clock))


def test_polls_through_queued_and_running_with_backoff(athena_client, athena_stub, clock):
    expect_start(athena_stub, PLAIN_QUERY)
    expect_states(athena_stub, "QUEUED", "RUNNING", "RUNNING", "RUNNING", "SUCCEEDED")
    expect_page(athena_stub, results_page([("n", "bigint")], [["7"]], header=True))

    result = run(athena_client, PLAIN_QUERY, [], clock, first_delay=1, backoff=2, max_delay=3, timeout=60)

    assert clock.sleeps == [1, 2, 3, 3]  # doubled, then capped
    assert result.rows == ((7,),)


def test_timeout_stops_the_query_and_says_so(athena_client, athena_stub, clock):
    expect_start(athena_stub, PLAIN_QUERY)
    expect_states(athena_stub, "RUNNING", "RUNNING", "RUNNING")
    athena_stub.add_response("stop_query_execution", {}, {"QueryExecutionId": EXECUTION_ID})

    with pytest.raises(AthenaQueryError, match=rf"still RUNNING after 2.5s; stopped execution {EXECUTION_ID}"):
        run(athena_client, PLAIN_QUERY, [], clock, first_delay=1, backoff=2, timeout=2.5)
    # The last wait is cut short so the total never passes the timeout.
    assert clock.sleeps == [1, 1.5]


def test_timeout_says_when_the_query_could_not_be_stopped(athena_client, athena_stub, clock):
    expect_start(athena_stub, PLAIN_QUERY)
    expect_states(athena_stub, "QUEUED", "QUEUED")
    athena_stub.add_client_error("stop_query_execution", "AccessDeniedException", "not allowed to stop queries")

    with pytest.raises(AthenaQueryError, match=rf"still QUEUED after 1s; could not stop execution {EXECUTION_ID}: .*AccessDenied"):
        run(athena_client, PLAIN_QUERY, [], clock, first_delay=1, timeout=1)


def test_results_over_two_pages_drop_the_header_only_once(athena_client, athena_stub, clock):
    expect_start(athena_stub, PLAIN_QUERY)
    expect_states(athena_stub, "SUCCEEDED")
    expect_page(athena_stub, results_page(COLUMNS, [["2026-01-05", "0.91", "10"], ["2026-01-06", "0.93", "12"]],
                                          header=True, next_token="page-2"))
    # A second page whose first row looks like the header is still data: only page one has a header.
    expect_page(athena_stub, results_page(COLUMNS, [["dt", "NaN", "1"], ["2026-01-07", "0.95", "14"]], header=False),
                token="page-2")

    result = run(athena_client, PLAIN_QUERY, [], clock)

    assert result.rows[0] == ("2026-01-05", 0.91, 10)
    assert [row[0] for row in result.rows] == ["2026-01-05", "2026-01-06", "dt", "2026-01-07"]


def test_values_are_converted_by_column_type(athena_client, athena_stub, clock):
    columns = [("name", "varchar"), ("n", "integer"), ("total", "bigint"), ("avg", "double"), ("ratio", "real"),
               ("cost", "decimal"), ("best", "boolean"), ("day", "date"), ("note", "varchar")]
    expect_start(athena_stub, PLAIN_QUERY)
    expect_states(athena_stub, "SUCCEEDED")
    expect_page(athena_stub, results_page(columns, [
        ["auc", "3", "9007199254740993", "0.875", "1.5", "12.30", "true", "2026-01-05", None],
        [None, None, None, None, None, None, "false", None, "ok"],
    ], header=True))

    result = run(athena_client, PLAIN_QUERY, [], clock)

    assert result.rows == (
        ("auc", 3, 9007199254740993, 0.875, 1.5, 12.3, True, "2026-01-05", None),
        (None, None, None, None, None, None, False, None, "ok"),
    )
    assert isinstance(result.rows[0][2], int)  # bigint beyond 2**53 stays exact


@pytest.mark.parametrize("state", ["FAILED", "CANCELLED"])
def test_failed_or_cancelled_query_raises_with_the_reason_on_one_line(athena_client, athena_stub, clock, state):
    reason = "COLUMN_NOT_FOUND: line 2:7: Column 'metrc_value'\ncannot be resolved"
    expect_start(athena_stub, PLAIN_QUERY)
    expect_states(athena_stub, "RUNNING")
    expect_states(athena_stub, state, reason=reason)

    with pytest.raises(AthenaQueryError) as caught:
        run(athena_client, PLAIN_QUERY, [], clock)

    message = str(caught.value)
    assert "\n" not in message
    assert f"{state} (execution {EXECUTION_ID})" in message
    assert "Column 'metrc_value' cannot be resolved" in message


@pytest.mark.parametrize(
    ("text", "athena_type", "expected"),
    [("Infinity", "double", float("inf")), ("-5", "smallint", -5), ("TRUE", "boolean", True),
     ("1.25", "decimal(10,2)", 1.25), ("{a=1}", "map", "{a=1}"), (None, "bigint", None)],
)
def test_convert_value_edge_cases(text, athena_type, expected):
    assert convert_value(text, athena_type) == expected
