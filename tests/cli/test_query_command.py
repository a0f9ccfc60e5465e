"""``mlmeta query`` and ``mlmeta queries`` in-process: listing, user errors, and the local (--lake) engine."""

from __future__ import annotations

import json

import pytest

from cli_runner import run_cli

from mlmeta_contract.lake.layout import object_key
from mlmeta_contract.lake.records import encode_records
from mlmeta_contract.lake.schema import METRIC_SNAPSHOTS

pytestmark = pytest.mark.usefixtures("queries_dir")


def assert_one_line_error(code, out, err, *fragments):
    assert code != 0
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err


def test_queries_lists_each_query_with_its_parameters_in_order(capsys):
    code, out, err = run_cli(capsys, "queries")

    assert (code, err) == (0, "")
    assert out == (
        "metric_history: One metric of one pipeline over time.\n"
        "  --param 1: pipeline_name (varchar) - the pipeline, e.g. churn-prediction-dev\n"
        "  --param 2: from_dt (date) - first dt partition (YYYY-MM-DD), inclusive\n"
        "  usage: mlmeta query metric_history --param <pipeline_name> --param <from_dt> (--lake DIR | --athena)\n"
        "\n"
        "pipeline_count: How many pipelines have snapshots.\n"
        "  (no parameters)\n"
        "  usage: mlmeta query pipeline_count (--lake DIR | --athena)\n"
    )


def test_queries_reports_a_malformed_query_file_on_one_line(queries_dir, capsys):
    (queries_dir / "broken.sql").write_text("-- Query: broken\n-- Description: x\nSELECT ?\n")

    assert_one_line_error(*run_cli(capsys, "queries"), "mlmeta queries: error: broken.sql:", "1 '?'")


def test_unknown_query_lists_the_known_ones(tmp_path, capsys):
    assert_one_line_error(
        *run_cli(capsys, "query", "metric_histroy", "--lake", str(tmp_path)),
        "mlmeta query: error: unknown query 'metric_histroy'; known queries: metric_history, pipeline_count",
    )


def test_wrong_parameter_count_names_the_expected_parameters(tmp_path, capsys):
    assert_one_line_error(
        *run_cli(capsys, "query", "metric_history", "--param", "churn-prediction-dev", "--lake", str(tmp_path)),
        "takes 2 parameter(s), got 1", "--param <pipeline_name> --param <from_dt>",
    )


def test_bad_parameter_type_names_parameter_and_type(tmp_path, capsys):
    assert_one_line_error(
        *run_cli(capsys, "query", "metric_history", "--param", "p", "--param", "2026-13-01", "--lake", str(tmp_path)),
        "parameter 'from_dt' must be a date, got '2026-13-01'",
    )


def test_missing_lake_directory(tmp_path, capsys):
    missing = tmp_path / "no-such-lake"
    assert_one_line_error(
        *run_cli(capsys, "query", "pipeline_count", "--lake", str(missing)),
        f"lake directory {missing} does not exist",
    )


def test_a_directory_without_the_lake_layout_says_what_was_expected(tmp_path, capsys):
    (tmp_path / "notes").mkdir()
    (tmp_path / "readme.txt").write_text("not a lake")

    assert_one_line_error(
        *run_cli(capsys, "query", "pipeline_count", "--lake", str(tmp_path)),
        f"mlmeta query: error: {tmp_path} is not a lake directory: it has none of raw/metric_snapshots/, ",
        "audit/naming/", "compacted/metric_snapshots/",
    )


def test_the_parent_of_a_lake_points_at_the_lake(lake, capsys):
    parent = lake.parent

    assert_one_line_error(
        *run_cli(capsys, "query", "pipeline_count", "--lake", str(parent)),
        f"{parent} is not a lake directory", f"did you mean --lake {lake}?",
    )


def test_a_lake_path_that_is_a_file_is_reported_as_a_file(tmp_path, capsys):
    file = tmp_path / "lake.json.gz"
    file.write_bytes(b"")

    assert_one_line_error(
        *run_cli(capsys, "query", "pipeline_count", "--lake", str(file)),
        f"lake directory {file} is a file, not a directory",
    )


def test_athena_options_are_refused_with_lake(tmp_path, capsys):
    assert_one_line_error(
        *run_cli(capsys, "query", "pipeline_count", "--lake", str(tmp_path), "--workgroup", "w", "--env", "prod"),
        "--env, --workgroup only apply with --athena",
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "one of the arguments --lake --athena is required"),
        (["--lake", ".", "--athena"], "argument --athena: not allowed with argument --lake"),
        (["--athena", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
    ],
)
def test_argument_errors_are_one_line(extra, message, capsys):
    code, out, err = run_cli(capsys, "query", "pipeline_count", *extra)
    assert code == 2
    assert_one_line_error(code, out, err, "mlmeta query: error:", message)


# --- the local engine (mlmeta.queries.local_engine, DuckDB) ---------------------------------------

def snapshot_row(execution_id: str, dt: str, metric: str, value: float) -> dict:
    row = {column: None for column in METRIC_SNAPSHOTS.column_names}
    row.update(
        schema_version=1, use_case="churn-prediction", environment="dev", pipeline_name="churn-prediction-dev",
        pipeline_execution_id=execution_id, execution_status="Succeeded", execution_end=f"{dt}T10:00:00Z",
        trial_kind="analysis", trial_component_name=f"churn-prediction-dev-{execution_id}-analysis-evaluation",
        metric_name=metric, metric_value=value, metric_count=1,
    )
    return row


@pytest.fixture
def lake(tmp_path):
    root = tmp_path / "lake"
    for execution_id, dt, auc in [("exec0000aaaa", "2026-01-04", 0.81), ("exec0000bbbb", "2026-01-06", 0.84)]:
        path = root / object_key(METRIC_SNAPSHOTS, dt, execution_id)
        path.parent.mkdir(parents=True)
        path.write_bytes(encode_records([snapshot_row(execution_id, dt, "auc", auc),
                                         snapshot_row(execution_id, dt, "f1", auc - 0.1)]))
    return root


def test_lake_runs_the_named_query_with_bound_parameters(lake, capsys):
    code, out, err = run_cli(capsys, "query", "metric_history", "--param", "churn-prediction-dev",
                             "--param", "2026-01-05", "--lake", str(lake), "--format", "json")

    assert (code, err) == (0, "")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["dt"], r["metric_name"], r["metric_count"]) for r in rows] == [("2026-01-06", "auc", 1), ("2026-01-06", "f1", 1)]
    assert [r["metric_value"] for r in rows] == pytest.approx([0.84, 0.74])


def test_lake_renders_a_table_by_default(lake, capsys):
    code, out, err = run_cli(capsys, "query", "pipeline_count", "--lake", str(lake))

    assert (code, err) == (0, "")
    assert [line.rstrip() for line in out.splitlines()] == ["pipelines", "---------", "1", "(1 row)"]


def test_lake_query_error_is_one_line(lake, queries_dir, capsys):
    (queries_dir / "typo.sql").write_text("-- Query: typo\n-- Description: misspelt column\nSELECT metrc_value FROM metric_snapshots\n")

    assert_one_line_error(*run_cli(capsys, "query", "typo", "--lake", str(lake)),
                          "query 'typo' failed on the local DuckDB engine:", "metrc_value")


def test_lake_json_of_no_rows_prints_nothing(lake, capsys):
    code, out, err = run_cli(capsys, "query", "metric_history", "--param", "churn-prediction-dev",
                             "--param", "2030-01-01", "--lake", str(lake), "--format", "json")

    assert (code, out, err) == (0, "", "")


# --- mlmeta queries: JSON and one query's text --------------------------------------------------

def test_queries_as_json_lines_one_object_per_query(capsys):
    code, out, err = run_cli(capsys, "queries", "--format", "json")

    assert (code, err) == (0, "")
    listed = [json.loads(line) for line in out.splitlines()]
    assert listed[0] == {
        "name": "metric_history",
        "description": "One metric of one pipeline over time.",
        "parameters": [
            {"position": 1, "name": "pipeline_name", "type": "varchar", "help": "the pipeline, e.g. churn-prediction-dev"},
            {"position": 2, "name": "from_dt", "type": "date", "help": "first dt partition (YYYY-MM-DD), inclusive"},
        ],
        "usage": "mlmeta query metric_history --param <pipeline_name> --param <from_dt> (--lake DIR | --athena)",
    }
    assert [q["name"] for q in listed] == ["metric_history", "pipeline_count"]


def test_queries_name_prints_that_querys_text(queries_dir, capsys):
    code, out, err = run_cli(capsys, "queries", "pipeline_count")

    assert (code, err) == (0, "")
    assert out == (queries_dir / "pipeline_count.sql").read_text()


def test_queries_name_as_json_carries_the_sql(queries_dir, capsys):
    code, out, err = run_cli(capsys, "queries", "metric_history", "--format", "json")

    assert (code, err) == (0, "")
    described = json.loads(out)
    assert described["name"] == "metric_history"
    assert described["sql"] == (queries_dir / "metric_history.sql").read_text()


def test_queries_of_an_unknown_name_lists_the_known_ones(capsys):
    assert_one_line_error(*run_cli(capsys, "queries", "metric_histroy"),
                          "mlmeta queries: error: unknown query 'metric_histroy'; known queries: metric_history, pipeline_count")
