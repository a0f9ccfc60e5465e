"""`mlmeta plot` in-process: the chart it writes, what it prints, and its one-line errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from athena_shapes import query_execution, results_page
from cli_runner import run_cli
from plot_fixtures import EXECUTIONS, PIPELINE, USE_CASE
from PIL import Image

from mlmeta.charts.metric_chart import load_metric_chart, plural
from mlmeta.cli.plot_cmd import default_out
from mlmeta.local.synthetic_lake import write_lake
from mlmeta.queries.drift_defaults import DEFAULT_MIN_CHANGE, DEFAULT_WINDOW, DEFAULT_Z_THRESHOLD
from mlmeta.queries import runner
from mlmeta.queries.catalog import get_query


def assert_one_line_error(code, out, err, *fragments):
    assert code != 0
    assert out == ""
    assert err.startswith("mlmeta plot: error: ") and err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err, err


def test_default_output_goes_to_metric_pipeline_png_in_the_current_directory(lake, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    code, out, err = run_cli(capsys, "plot", "auc", "--use-case", USE_CASE, "--lake", str(lake))

    chart = load_metric_chart("auc", USE_CASE, lake=lake)
    assert (code, err) == (0, "")
    assert out.splitlines() == [f"auc-{PIPELINE}.png", chart.summary()]
    assert f"{EXECUTIONS} runs" in out and plural(len(chart.drift_points), "drift point") in out
    with Image.open(tmp_path / f"auc-{PIPELINE}.png") as image:
        assert image.size == (1200, 500)


def test_options_reach_the_chart(lake, tmp_path, capsys):
    out_file = tmp_path / "charts" / "auc.png"
    out_file.parent.mkdir()

    code, out, err = run_cli(capsys, "plot", "auc", "--use-case", USE_CASE, "--env", "dev", "--lake", str(lake),
                             "--out", str(out_file), "--from", "2026-01-20", "--to", "2026-03-01",
                             "--window", "5", "--z-threshold", "2.5", "--min-change", "0.02", "--min-value", "0.89")

    chart = load_metric_chart("auc", USE_CASE, lake=lake, since="2026-01-20", until="2026-03-01",
                              window=5, z_threshold=2.5, min_value=0.89, min_change=0.02)
    assert (code, err) == (0, "")
    assert out.splitlines() == [str(out_file), chart.summary()]
    assert "(|z| >= 2.5 and 2% off the median of the previous 5 runs)" in out and "below 0.89" in out
    assert out_file.is_file()


def test_a_metric_name_with_path_characters_gives_a_flat_default_file_name(lake, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _out, err = run_cli(capsys, "plot", "validation:auc/v2", "--use-case", USE_CASE, "--lake", str(lake))
    # No such metric in the lake: the error names it, and no directory "validation:auc" was made.
    assert_one_line_error(code, "", err, "no 'validation:auc/v2' values of pipeline churn-prediction-dev")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        (["auc", "--env", "prod"], ["no 'auc' values of pipeline churn-prediction-prod at any date in the lake"]),
        (["rmse"], ["no 'rmse' values of pipeline churn-prediction-dev"]),
        (["auc", "--from", "2030-01-01"], ["no 'auc' values", "between 2030-01-01 and 9999-12-31"]),
        (["auc", "--env", "qa"], ["env 'qa' is not a known environment (dev, stg, prod)"]),
        (["auc", "--from", "2026-02-30"], ["argument --from: must be a date YYYY-MM-DD, got '2026-02-30'"]),
        (["auc", "--to", "yesterday"], ["argument --to: must be a date YYYY-MM-DD, got 'yesterday'"]),
        (["auc", "--from", "2026-03-01", "--to", "2026-02-01"], ["--from 2026-03-01 is after --to 2026-02-01"]),
        (["auc", "--window", "0"], ["argument --window: must be a whole number of at least 1, got '0'"]),
        (["auc", "--z-threshold", "-1"], ["argument --z-threshold: must be a positive number, got '-1'"]),
        (["auc", "--min-value", "nan"], ["argument --min-value: must be a finite number, got 'nan'"]),
        (["auc", "--region", "us-east-1", "--workgroup", "w"], ["--workgroup, --region only apply with --athena, not with --lake"]),
        (["auc", "--out", "chart.svg"], ["--out must name a .png file, got 'chart.svg'"]),
    ],
)
def test_errors_are_one_line(lake, capsys, extra, fragments):
    metric, *options = extra
    assert_one_line_error(*run_cli(capsys, "plot", metric, "--use-case", USE_CASE, "--lake", str(lake), *options), *fragments)


def test_an_unwritable_out_path_fails_before_querying(tmp_path, capsys):
    # The lake does not exist either: the out path is checked first, so the error is about the out path.
    missing_dir = tmp_path / "no-such-dir" / "auc.png"
    assert_one_line_error(*run_cli(capsys, "plot", "auc", "--use-case", USE_CASE, "--lake", str(tmp_path / "nolake"),
                                   "--out", str(missing_dir)),
                          f"cannot write {missing_dir}: directory {missing_dir.parent} does not exist")
    a_directory = tmp_path / "taken.png"
    a_directory.mkdir()
    assert_one_line_error(*run_cli(capsys, "plot", "auc", "--use-case", USE_CASE, "--lake", str(tmp_path),
                                   "--out", str(a_directory)), f"cannot write {a_directory}: it is a directory")


def test_a_write_failure_while_saving_is_one_line(lake, tmp_path, capsys, monkeypatch):
    def refuse(chart, out):
        raise PermissionError(13, "Permission denied", str(out))

    monkeypatch.setattr("mlmeta.charts.render.write_png", refuse)
    assert_one_line_error(*run_cli(capsys, "plot", "auc", "--use-case", USE_CASE, "--lake", str(lake),
                                   "--out", str(tmp_path / "auc.png")), "cannot write", "Permission denied")


def test_a_missing_lake_is_one_line(tmp_path, capsys):
    assert_one_line_error(*run_cli(capsys, "plot", "auc", "--use-case", USE_CASE, "--lake", str(tmp_path / "nolake"),
                                   "--out", str(tmp_path / "auc.png")), "lake directory", "does not exist")


def test_engine_is_required_and_exclusive(capsys):
    assert_one_line_error(*run_cli(capsys, "plot", "auc", "--use-case", USE_CASE), "one of the arguments --lake --athena is required")
    assert_one_line_error(*run_cli(capsys, "plot", "auc", "--use-case", USE_CASE, "--lake", ".", "--athena"),
                          "argument --athena: not allowed with argument --lake")


# --- --athena, with a Stubber-wrapped client --------------------------------------------------------

EXECUTION_ID = "1a2b3c4d-0000-4000-8000-EXAMPLE44444"
DOUBLE_COLUMNS = {"value", "moving_avg_7", "change", "pct_change", "window_median", "window_mad", "z_score"}


def expect_athena_run(stub, name, parameters, result, *, workgroup, database):
    stub.add_response(
        "start_query_execution", {"QueryExecutionId": EXECUTION_ID},
        {"QueryString": get_query(name).sql, "WorkGroup": workgroup, "QueryExecutionContext": {"Database": database},
         "ExecutionParameters": parameters},
    )
    stub.add_response("get_query_execution", query_execution(EXECUTION_ID, "SUCCEEDED"), {"QueryExecutionId": EXECUTION_ID})
    types = {"window_runs": "bigint"} | dict.fromkeys(DOUBLE_COLUMNS, "double")
    columns = [(c, types.get(c, "varchar")) for c in result.columns]
    rows = [[None if v is None else repr(v) if isinstance(v, float) else str(v) for v in row] for row in result.rows]
    stub.add_response("get_query_results", results_page(columns, rows, header=True))


def expect_athena_runs(stub, lake, calls, *, until, drift, workgroup="analysts", database="mlmeta_stg"):
    """Stub each (query, from_dt) in order with what the query returns on the fixture lake."""
    for name, from_dt in calls:
        scope = [PIPELINE, "auc", from_dt, until] + (drift if name == "metric_drift" else [])
        literals = ["'churn-prediction-stg'", "'auc'", f"'{from_dt}'", f"'{until}'"] + [repr(v) for v in scope[4:]]
        expect_athena_run(stub, name, literals, runner.run_named(name, scope, lake=lake), workgroup=workgroup, database=database)


@pytest.mark.parametrize(
    ("since", "window", "calls"),
    [
        # 20 days before --from hold 20 runs, a full window of 10: no need to reach further.
        ("2026-02-19", 10, [("metric_history", "2026-01-30"), ("metric_drift", "2026-01-30")]),
        # A window of 20 needs 40 days, which hold only the lake's first 15 runs: then a year back.
        ("2026-01-20", 20, [("metric_history", "2025-12-11"), ("metric_history", "2025-01-20"), ("metric_drift", "2025-01-20")]),
    ],
)
def test_athena_reads_a_window_of_runs_before_from_and_no_more_than_it_needs(
    lake, athena_client, athena_stub, tmp_path, monkeypatch, capsys, since, window, calls
):
    monkeypatch.setattr(runner, "make_athena_client", lambda region: athena_client)
    expect_athena_runs(athena_stub, lake, calls, until="2026-03-05", drift=[window, DEFAULT_Z_THRESHOLD, 0.89, DEFAULT_MIN_CHANGE])

    code, out, err = run_cli(capsys, "plot", "auc", "--use-case", USE_CASE, "--env", "stg", "--athena", "--workgroup", "analysts",
                             "--from", since, "--to", "2026-03-05", "--window", str(window), "--min-value", "0.89",
                             "--out", str(tmp_path / "auc.png"))

    lake_chart = load_metric_chart("auc", USE_CASE, lake=lake, since=since, until="2026-03-05", window=window, min_value=0.89)
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == lake_chart.summary().replace(PIPELINE, "churn-prediction-stg")
    # The onset, 2026-02-19, judged against the runs before it.
    assert "2026-02-19" in lake_chart.drift_points["execution_end"].dt.strftime("%Y-%m-%d").tolist()


def test_athena_runs_both_named_queries_in_the_environments_workgroup(lake, athena_client, athena_stub, tmp_path, monkeypatch, capsys):
    regions: list[str] = []
    monkeypatch.setattr(runner, "make_athena_client", lambda region: regions.append(region) or athena_client)
    monkeypatch.setattr("mlmeta.analytics.source.utc_today", lambda: date(2026, 3, 31))
    # Athena's default range: the last 365 days up to today. Before it, a drift window of runs (30 by default)
    # is looked for 60 days back (2 days a run), then a year back; the lake has none, so the drift query reads from there.
    expect_athena_runs(athena_stub, lake, [("metric_history", "2025-01-30"), ("metric_history", "2024-03-31"),
                                           ("metric_drift", "2024-03-31")], until="2026-03-31",
                       drift=[DEFAULT_WINDOW, DEFAULT_Z_THRESHOLD, 0.89, DEFAULT_MIN_CHANGE])

    code, out, err = run_cli(capsys, "plot", "auc", "--use-case", USE_CASE, "--env", "stg", "--athena", "--workgroup", "analysts",
                             "--region", "eu-west-1", "--min-value", "0.89", "--out", str(tmp_path / "auc.png"))

    lake_chart = load_metric_chart("auc", USE_CASE, lake=lake, min_value=0.89)
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == lake_chart.summary().replace(PIPELINE, "churn-prediction-stg")
    assert regions == ["eu-west-1"] * 3  # a client per query, in --region
    assert (tmp_path / "auc.png").is_file()


# --- Long metric names: a safe default file name, a clear line for a long --out ----------------------

LONG_METRIC = "validation:" + "auc_" * 75  # 311 characters: with "-<pipeline>.png" far over a file name's 255 bytes


@pytest.fixture(scope="module")
def long_metric_lake(history, tmp_path_factory):
    renamed = tuple(r | {"metric_name": LONG_METRIC} if r["metric_name"] == "auc" else r for r in history.metric_snapshots)
    directory = tmp_path_factory.mktemp("long-metric-lake")
    write_lake(directory, replace(history, metric_snapshots=renamed))
    return directory


def test_a_long_metric_name_gets_a_shortened_default_file_name(long_metric_lake, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    code, out, err = run_cli(capsys, "plot", LONG_METRIC, "--use-case", USE_CASE, "--lake", str(long_metric_lake))

    assert (code, err) == (0, "")
    written = out.splitlines()[0]
    assert (tmp_path / written).is_file() and [p.name for p in tmp_path.iterdir()] == [written]
    assert len(written.encode()) == 255 and written.startswith("validation_auc_auc_") and written.endswith(f"-{PIPELINE}.png")
    assert f"{EXECUTIONS} runs of {PIPELINE} {LONG_METRIC} " in out.splitlines()[1]


def test_shortened_default_names_keep_two_long_metrics_apart():
    first, second = (default_out(LONG_METRIC + end, PIPELINE) for end in ("a", "b"))
    assert first != second
    assert default_out(LONG_METRIC + "a", PIPELINE) == first  # the same metric, the same file
    assert default_out("auc", PIPELINE) == Path(f"auc-{PIPELINE}.png")  # short names stay as they were


def test_a_long_metric_name_without_values_is_one_line(lake, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(*run_cli(capsys, "plot", "a" * 300, "--use-case", USE_CASE, "--lake", str(lake)),
                          f"no '{'a' * 300}' values of pipeline {PIPELINE}")


@pytest.mark.parametrize("name", ["a" * 300 + ".png", "d" * 300 + "/auc.png"])
def test_an_out_path_too_long_for_the_file_system_is_one_line(lake, tmp_path, capsys, name):
    out = tmp_path / name
    assert_one_line_error(*run_cli(capsys, "plot", "auc", "--use-case", USE_CASE, "--lake", str(lake), "--out", str(out)),
                          f"cannot write {out}: ")
