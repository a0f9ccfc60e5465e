"""mlmeta.analytics on Athena: a Stubber-wrapped boto3 client (moto's Athena runs no SQL) answers with
the rows the same named query returns on the fixture lake, rendered as Athena's text results."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from athena_shapes import query_execution, results_page
from analytics_fixtures import PIPELINE, USE_CASE

from mlmeta import analytics
from mlmeta.queries import runner
from mlmeta.queries.catalog import get_query
from mlmeta.queries.result import QueryResult

EXECUTION_ID = "0b1c2d3e-4f50-4a6b-8c7d-EXAMPLE33333"
TODAY = date(2026, 11, 26)
# Athena's result types of the queries' numeric columns; the others are varchar.
ATHENA_TYPES = {"metric_value": "double", "value": "double", "moving_avg_7": "double", "change": "double", "pct_change": "double"}
PAGE_ROWS = 150  # several pages: a result of one use case's history is not one call


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("mlmeta.analytics.source.utc_today", lambda: TODAY)


def athena_text(value: object) -> str | None:
    return None if value is None else repr(value) if isinstance(value, float) else str(value)


def expect_query(stub, name: str, parameters: list[str], result: QueryResult, *, workgroup="mlmeta-dev", database="mlmeta_dev"):
    stub.add_response(
        "start_query_execution",
        {"QueryExecutionId": EXECUTION_ID},
        {"QueryString": get_query(name).sql, "WorkGroup": workgroup, "QueryExecutionContext": {"Database": database},
         "ExecutionParameters": parameters},
    )
    stub.add_response("get_query_execution", query_execution(EXECUTION_ID, "SUCCEEDED"), {"QueryExecutionId": EXECUTION_ID})
    columns = [(c, ATHENA_TYPES.get(c, "varchar")) for c in result.columns]
    rows = [[athena_text(v) for v in row] for row in result.rows]
    pages = [rows[i:i + PAGE_ROWS] for i in range(0, len(rows), PAGE_ROWS)] or [[]]
    for number, page in enumerate(pages):
        token = f"page-{number + 1}" if number + 1 < len(pages) else None
        expected = {"QueryExecutionId": EXECUTION_ID, "MaxResults": 1000} | ({"NextToken": f"page-{number}"} if number else {})
        stub.add_response("get_query_results", results_page(columns, page, header=number == 0, next_token=token), expected)


def test_runs_on_athena_equal_runs_on_the_lake(lake, athena_client, athena_stub):
    lake_rows = runner.run_named("runs", [PIPELINE, "0001-01-01", "9999-12-31"], lake=lake)
    assert len(lake_rows.rows) > 2 * PAGE_ROWS
    # The default range on Athena: the last 365 days up to today (UTC).
    expect_query(athena_stub, "runs", ["'churn-prediction-dev'", "'2025-11-26'", "'2026-11-26'"], lake_rows)

    on_athena = analytics.runs(USE_CASE, "dev", athena=analytics.AthenaTarget(client=athena_client))

    pd.testing.assert_frame_equal(on_athena, analytics.runs(USE_CASE, "dev", lake=lake))


def test_athena_true_uses_the_environments_workgroup_database_and_region(athena_client, athena_stub, monkeypatch, tmp_path):
    regions: list[str] = []
    monkeypatch.setattr(runner, "make_athena_client", lambda region: regions.append(region) or athena_client)
    (tmp_path / "raw" / "metric_snapshots").mkdir(parents=True)  # an empty lake
    empty = runner.run_named("runs", ["x", "2026-01-01", "2026-01-01"], lake=tmp_path)  # no rows, the columns
    expect_query(athena_stub, "runs", ["'churn-prediction-prod'", "'2026-01-01'", "'2026-03-31'"], empty,
                 workgroup="mlmeta-prod", database="mlmeta_prod")

    frame = analytics.runs(USE_CASE, "prod", athena=True, since="2026-01-01", until="2026-03-31")

    assert frame.empty and list(frame.columns) == list(analytics.IDENTITY_COLUMNS)
    assert regions == ["ap-northeast-1"]


def test_metric_history_on_athena_sends_the_named_query_with_typed_parameters(lake, athena_client, athena_stub):
    lake_rows = runner.run_named("metric_history", [PIPELINE, "auc", "2026-01-01", "2026-01-31"], lake=lake)
    expect_query(athena_stub, "metric_history", ["'churn-prediction-dev'", "'auc'", "'2026-01-01'", "'2026-01-31'"],
                 lake_rows, workgroup="analysts")
    target = analytics.AthenaTarget(workgroup="analysts", client=athena_client)

    frame = analytics.metric_history("auc", USE_CASE, athena=target, since="2026-01-01", until="2026-01-31")

    pd.testing.assert_frame_equal(frame, analytics.metric_history("auc", USE_CASE, lake=lake, since="2026-01-01", until="2026-01-31"))


def test_a_failed_athena_query_is_a_one_line_query_error(athena_client, athena_stub):
    athena_stub.add_response("start_query_execution", {"QueryExecutionId": EXECUTION_ID})
    reason = "TABLE_NOT_FOUND: line 12:10: Table 'awsdatacatalog.mlmeta_dev.metric_snapshots'\ndoes not exist"
    athena_stub.add_response("get_query_execution", query_execution(EXECUTION_ID, "FAILED", reason))

    with pytest.raises(analytics.QueryError) as caught:
        analytics.runs(USE_CASE, athena=analytics.AthenaTarget(client=athena_client))

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"Athena query 'runs' FAILED (execution {EXECUTION_ID}): TABLE_NOT_FOUND")


def test_an_unknown_use_case_on_athena_names_the_environments_use_cases(athena_client, athena_stub, tmp_path):
    (tmp_path / "raw" / "metric_snapshots").mkdir(parents=True)  # an empty lake: the columns, no rows
    empty = runner.run_named("runs", ["x", "2026-01-01", "2026-01-01"], lake=tmp_path)
    expect_query(athena_stub, "runs", ["'churn-predicton-dev'", "'2026-01-01'", "'2026-03-31'"], empty)

    with pytest.raises(analytics.AnalyticsError) as raised:
        analytics.runs("churn-predicton", athena=analytics.AthenaTarget(client=athena_client), since="2026-01-01", until="2026-03-31")

    assert str(raised.value) == (
        "no runs of use case 'churn-predicton' (pipeline churn-predicton-dev) on Athena from 2026-01-01 to 2026-03-31, "
        "and it is not a use case of the dev environment; its use cases: churn-prediction"
    )
