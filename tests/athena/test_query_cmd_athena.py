"""``mlmeta query NAME --athena`` in-process, with the Athena client replaced by a Stubber-wrapped one."""

from __future__ import annotations

import json
import os

import pytest
from athena_shapes import query_execution, results_page

from mlmeta.cli import main, query_cmd

EXECUTION_ID = "f0e1d2c3-0000-4000-8000-EXAMPLE22222"

METRIC_HISTORY_SQL = """\
-- Query: metric_history
-- Description: One metric of one pipeline over time.
-- Param 1: pipeline_name varchar - the pipeline
-- Param 2: from_dt date - first dt partition
-- Param 3: min_count bigint - fewest logged values
-- Param 4: min_value double - smallest value kept
SELECT dt, metric_value, metric_count FROM metric_snapshots
WHERE pipeline_name = ? AND dt >= ? AND metric_count >= ? AND metric_value >= ?
ORDER BY dt
"""
ARGS = ["query", "metric_history", "--param", "o'brien-prod", "--param", "2026-01-05", "--param", "3",
        "--param", "0.5", "--athena"]
COLUMNS = [("dt", "varchar"), ("metric_value", "double"), ("metric_count", "bigint")]


@pytest.fixture(autouse=True)
def queries_dir(tmp_path, monkeypatch):
    directory = tmp_path / "queries"
    directory.mkdir()
    (directory / "metric_history.sql").write_text(METRIC_HISTORY_SQL)
    monkeypatch.setenv("MLMETA_QUERIES_DIR", str(directory))
    return directory


@pytest.fixture
def regions(monkeypatch, athena_client):
    """Makes the command use the stubbed client; records the region it asked for."""
    asked: list[str] = []

    def factory(region: str):
        asked.append(region)
        return athena_client

    monkeypatch.setattr(query_cmd, "make_athena_client", factory)
    return asked


def expect_run(stub, *, workgroup, database, final_state="SUCCEEDED", reason=None):
    stub.add_response(
        "start_query_execution",
        {"QueryExecutionId": EXECUTION_ID},
        {"QueryString": METRIC_HISTORY_SQL, "WorkGroup": workgroup, "QueryExecutionContext": {"Database": database},
         "ExecutionParameters": ["'o''brien-prod'", "'2026-01-05'", "3", "0.5"]},
    )
    stub.add_response("get_query_execution", query_execution(EXECUTION_ID, final_state, reason),
                      {"QueryExecutionId": EXECUTION_ID})


def test_defaults_come_from_the_dev_environment(athena_stub, regions, capsys):
    expect_run(athena_stub, workgroup="mlmeta-dev", database="mlmeta_dev")
    athena_stub.add_response("get_query_results", results_page(COLUMNS, [["2026-01-05", "0.91", "10"]], header=True))

    assert main([*ARGS, "--format", "json"]) == 0

    out = capsys.readouterr()
    assert [json.loads(line) for line in out.out.splitlines()] == [{"dt": "2026-01-05", "metric_value": 0.91, "metric_count": 10}]
    assert out.err == ""
    assert regions == ["ap-northeast-1"]


def test_explicit_env_workgroup_database_and_region(athena_stub, regions, capsys):
    expect_run(athena_stub, workgroup="analysts", database="mlmeta_prod")
    athena_stub.add_response("get_query_results", results_page(COLUMNS, [], header=True))

    code = main([*ARGS, "--env", "prod", "--workgroup", "analysts", "--region", "us-east-1", "--format", "csv"])

    assert code == 0
    assert capsys.readouterr().out == "dt,metric_value,metric_count\n"
    assert regions == ["us-east-1"]


def test_failed_query_prints_athena_reason_on_one_line(athena_stub, regions, capsys):
    reason = "TABLE_NOT_FOUND: line 7:26: Table 'awsdatacatalog.mlmeta_dev.metric_snapshots' does not exist"
    expect_run(athena_stub, workgroup="mlmeta-dev", database="mlmeta_dev", final_state="FAILED", reason=reason)

    assert main(ARGS) == 2

    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == f"mlmeta query: error: Athena query 'metric_history' FAILED (execution {EXECUTION_ID}): {reason}\n"


def test_refused_request_is_one_line(athena_stub, regions, capsys):
    athena_stub.add_client_error("start_query_execution", "InvalidRequestException",
                                 "WorkGroup mlmeta-dev is not found.\nCheck the workgroup name.")

    assert main(ARGS) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "(InvalidRequestException): WorkGroup mlmeta-dev is not found. Check the workgroup name." in err


def test_unknown_environment_lists_the_known_ones(regions, capsys):
    assert main([*ARGS, "--env", "qa"]) == 2

    assert capsys.readouterr().err == (
        "mlmeta query: error: unknown environment 'qa'; known environments: dev, stg, prod\n"
    )
    assert regions == []


def test_missing_credentials_suggest_configuring_them_or_using_lake(monkeypatch, capsys):
    # The real client factory and a real boto3 client: with no credential source anywhere,
    # botocore raises NoCredentialsError while signing, before any network call.
    for name in [n for n in list(os.environ) if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    assert main(ARGS) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "configure AWS credentials" in err and "--lake DIR" in err


@pytest.mark.parametrize("bad", ["0", "-1", "soon", "inf"])
def test_timeout_must_be_positive_seconds(bad, capsys):
    with pytest.raises(SystemExit) as caught:
        main([*ARGS, "--timeout", bad])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--timeout" in err and "positive number of seconds" in err
