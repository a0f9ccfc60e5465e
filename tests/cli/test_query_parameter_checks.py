"""``mlmeta query`` refuses parameter values the query's header rules out (mlmeta/queries/sql/*.sql: ``>= 1``,
``<= to_dt``), with one line and before any engine work, on --lake and on --athena alike."""

from __future__ import annotations

import pytest
from cli_runner import run_cli

from mlmeta.cli import query_cmd

DRIFT_SCOPE = ["churn-prediction-dev", "auc", "2026-01-05", "2026-07-03"]


def params(*values: str) -> list[str]:
    return [arg for value in values for arg in ("--param", value)]


BAD_CALLS = [
    (["metric_drift", *params(*DRIFT_SCOPE, "0", "5", "0.8", "0.01")], "parameter 'window_size' must be >= 1, got 0"),
    (["metric_drift", *params(*DRIFT_SCOPE, "-5", "5", "0.8", "0.01")], "parameter 'window_size' must be >= 1, got -5"),
    (["metric_drift", *params(*DRIFT_SCOPE, "30", "0", "0.8", "0.01")], "parameter 'z_threshold' must be > 0, got 0.0"),
    (["metric_drift", *params(*DRIFT_SCOPE, "30", "5", "0.8", "-0.01")], "parameter 'min_change' must be >= 0, got -0.01"),
    (["metric_drift", *params("churn-prediction-dev", "auc", "2026-07-03", "2026-01-05", "30", "5", "0.8", "0.01")],
     "parameter 'from_dt' must be <= 'to_dt', got from_dt 2026-07-03 and to_dt 2026-01-05"),
    (["metric_history", *params("churn-prediction-dev", "auc", "2026-07-03", "2026-01-05")],
     "query 'metric_history': parameter 'from_dt' must be <= 'to_dt'"),
    (["runs", *params("churn-prediction-dev", "2026-07-03", "2026-01-05")], "query 'runs': parameter 'from_dt' must be <= 'to_dt'"),
]


def assert_one_line_error(code, out, err, fragment):
    assert code != 0
    assert out == ""
    assert err.startswith("mlmeta query: error: ") and err.count("\n") == 1, err
    assert fragment in err, err


@pytest.mark.parametrize(("args", "fragment"), BAD_CALLS)
def test_a_value_out_of_range_is_one_line_on_a_local_lake(tmp_path, capsys, args, fragment):
    # An empty lake would answer 0 rows (or every run OK): the check must come first.
    assert_one_line_error(*run_cli(capsys, "query", *args, "--lake", str(tmp_path)), fragment)


@pytest.mark.parametrize(("args", "fragment"), BAD_CALLS)
def test_a_value_out_of_range_is_one_line_on_athena_before_any_call(athena_client, athena_stub, monkeypatch, capsys, args, fragment):
    # The stub holds no responses: any Athena call would fail the test with a different error.
    monkeypatch.setattr(query_cmd, "make_athena_client", lambda region: athena_client)
    assert_one_line_error(*run_cli(capsys, "query", *args, "--athena"), fragment)


def test_the_listing_shows_each_parameters_range(capsys):
    code, out, _err = run_cli(capsys, "queries")
    assert code == 0
    assert "--param 5: window_size (bigint, >= 1) - " in out
    assert "--param 3: from_dt (date, <= to_dt) - " in out
