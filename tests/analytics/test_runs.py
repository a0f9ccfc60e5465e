"""mlmeta.analytics.runs on the fixture lake (DuckDB), against pandas over the generated records."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from analytics_fixtures import OTHER_USE_CASE, PIPELINE, USE_CASE
from analytics_expected import expected_runs

from mlmeta import analytics
from mlmeta.local.synthetic_lake import write_lake
from mlmeta.queries.result import QueryResult


@pytest.fixture(scope="module")
def churn_runs(lake) -> pd.DataFrame:
    return analytics.runs(USE_CASE, "dev", lake=lake)


def test_one_row_per_execution_with_identity_metric_and_parameter_columns(churn_runs, metric_frame, component_frame):
    expected = expected_runs(metric_frame, component_frame, PIPELINE)

    pd.testing.assert_frame_equal(churn_runs, expected, check_exact=False, rtol=1e-12)
    executions = set(metric_frame[metric_frame.pipeline_name == PIPELINE].pipeline_execution_id)
    assert len(churn_runs) == len(executions) == 40
    assert churn_runs.pipeline_execution_id.is_unique


def test_columns_are_identity_then_metrics_then_parameters(churn_runs):
    columns = list(churn_runs.columns)
    assert columns[:4] == ["pipeline_execution_id", "execution_status", "execution_start", "execution_end"]
    metrics = [c for c in columns if c.startswith("metric.")]
    parameters = [c for c in columns if c.startswith("param.")]
    assert columns == columns[:4] + metrics + parameters
    assert metrics == sorted(metrics) and parameters == sorted(parameters)
    # The training job's own metrics (environment trial: auc, loss) are not columns; analysis auc is.
    assert "metric.loss" not in columns and "metric.auc" in columns
    assert {"param.train.eta", "param.evaluation.threshold", "param.threshold-tuning.objective"} <= set(parameters)


def test_times_are_utc_timestamps_and_rows_are_oldest_first(churn_runs):
    for column in ("execution_start", "execution_end"):
        assert str(churn_runs[column].dtype) == "datetime64[us, UTC]"
    assert churn_runs.execution_end.is_monotonic_increasing
    assert (churn_runs.execution_start < churn_runs.execution_end).all()


def test_metric_values_are_picked_as_metric_history_picks_them(churn_runs, lake, metric_frame):
    # f1 is logged by two analysis components; runs must agree with the named query's choice.
    history = analytics.metric_history("f1", USE_CASE, "dev", lake=lake)
    merged = churn_runs.merge(history, on="pipeline_execution_id", validate="one_to_one")
    assert len(merged) == len(churn_runs)
    assert merged["metric.f1"].tolist() == pytest.approx(merged["value"].tolist(), rel=1e-12)
    evaluation_f1 = metric_frame[(metric_frame.trial_component_name.str.endswith("-analysis-evaluation"))
                                 & (metric_frame.metric_name == "f1")].set_index("pipeline_execution_id").metric_value
    differs = merged["metric.f1"] != merged.pipeline_execution_id.map(evaluation_f1)
    assert differs.any() and not differs.all()  # the rule matters: sometimes tuning's later value wins


def test_parameters_stay_text_and_are_missing_where_a_step_lacked_them(churn_runs):
    assert churn_runs["param.train.max_depth"].isin(["6", "8"]).all()
    # early_stopping_rounds appears from the 11th run of the generator on.
    rounds = churn_runs["param.train.early_stopping_rounds"]
    assert rounds.iloc[:10].isna().all() and (rounds.iloc[10:] == "20").all()


def test_failed_and_stopped_executions_are_rows_too(churn_runs, metric_frame):
    statuses = metric_frame[metric_frame.pipeline_name == PIPELINE].drop_duplicates("pipeline_execution_id")
    assert sorted(churn_runs.execution_status) == sorted(statuses.execution_status)
    assert set(churn_runs.execution_status) > {"Succeeded"}


def test_another_use_case_reads_only_its_pipeline(lake, metric_frame, component_frame):
    fraud = analytics.runs(OTHER_USE_CASE, lake=lake)
    expected = expected_runs(metric_frame, component_frame, f"{OTHER_USE_CASE}-dev")
    pd.testing.assert_frame_equal(fraud, expected, check_exact=False, rtol=1e-12)


@pytest.mark.parametrize(
    ("since", "until", "from_dt", "to_dt"),
    [
        ("2026-01-08", "2026-01-12", "2026-01-08", "2026-01-12"),
        (date(2026, 1, 8), None, "2026-01-08", "9999-12-31"),
        # A datetime counts by its UTC date: 2026-01-13 01:00 in Tokyo is 2026-01-12 in UTC.
        (None, datetime.fromisoformat("2026-01-13T01:00:00+09:00"), "0001-01-01", "2026-01-12"),
        (None, datetime(2026, 1, 12, 23, 0, tzinfo=UTC), "0001-01-01", "2026-01-12"),
    ],
)
def test_since_and_until_select_executions_by_the_utc_date_of_their_end(
    lake, metric_frame, component_frame, since, until, from_dt, to_dt
):
    selected = analytics.runs(USE_CASE, lake=lake, since=since, until=until)

    expected = expected_runs(metric_frame, component_frame, PIPELINE, from_dt, to_dt)
    pd.testing.assert_frame_equal(selected, expected, check_exact=False, rtol=1e-12)
    assert 0 < len(selected) < 40


def test_no_executions_is_an_empty_frame_with_the_identity_columns(lake):
    empty = analytics.runs(USE_CASE, "prod", lake=lake)

    assert empty.empty
    assert list(empty.columns) == list(analytics.IDENTITY_COLUMNS)
    assert str(empty.execution_end.dtype) == "datetime64[us, UTC]"


def test_a_component_whose_step_is_unknown_is_keyed_by_its_name(history, component_frame, tmp_path):
    template = history.component_snapshots[0]
    odd = replace_record(template, trial_component_name="hand-made-component", step_name=None, parameters={"k": "v"})
    write_lake(tmp_path, replace(history, component_snapshots=(*history.component_snapshots, odd)))

    frame = analytics.runs(USE_CASE, lake=tmp_path)

    column = frame.set_index("pipeline_execution_id")["param.hand-made-component.k"]
    assert column.dropna().to_dict() == {template["pipeline_execution_id"]: "v"}


def replace_record(record: dict, **changes) -> dict:
    return {**record, **changes}


def test_two_components_of_one_step_sharing_a_parameter_keep_the_first_row():
    columns = ("pipeline_execution_id", "execution_status", "execution_start", "execution_end", "kind", "component",
               "name", "metric_value", "parameter_value")
    identity = ("e1", "Succeeded", "2026-01-05T08:00:00Z", "2026-01-05T09:00:00.000Z")
    result = QueryResult(columns, (
        (*identity, "metric", None, "auc", 0.9, None),
        (*identity, "parameter", "train", "eta", None, "0.1"),
        (*identity, "parameter", "train", "eta", None, "0.3"),
    ))

    frame = analytics.pivot_runs(result)

    assert frame.to_dict("records") == [{
        "pipeline_execution_id": "e1", "execution_status": "Succeeded",
        "execution_start": pd.Timestamp("2026-01-05T08:00:00Z"), "execution_end": pd.Timestamp("2026-01-05T09:00:00Z"),
        "metric.auc": 0.9, "param.train.eta": "0.1",
    }]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "pass exactly one of lake=DIR"),
        ({"lake": "x", "athena": True}, "pass exactly one of lake=DIR"),
        ({"athena": "prod"}, "athena must be True or an AthenaTarget, got 'prod'"),
        ({"lake": "x", "since": "2026/01/05"}, "since must be a date (YYYY-MM-DD, date or datetime), got '2026/01/05'"),
        ({"lake": "x", "until": 20260105}, "until must be a date"),
        ({"lake": "x", "since": "2026-02-01", "until": "2026-01-31"}, "since (2026-02-01) is after until (2026-01-31)"),
    ],
)
def test_bad_arguments_are_one_line_analytics_errors(kwargs, message):
    with pytest.raises(analytics.AnalyticsError) as caught:
        analytics.runs(USE_CASE, **kwargs)
    assert message in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(("use_case", "env", "message"), [
    (USE_CASE, "qa", "env 'qa' is not a known environment (dev, stg, prod)"),
    ("Churn", "dev", "use_case 'Churn' is not lowercase"),
])
def test_a_use_case_or_env_outside_the_naming_convention_is_refused(lake, use_case, env, message):
    with pytest.raises(analytics.AnalyticsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        analytics.runs(use_case, env, lake=lake)


def test_a_missing_lake_is_a_one_line_query_error(tmp_path):
    with pytest.raises(analytics.QueryError, match=r"lake directory .*nowhere does not exist"):
        analytics.runs(USE_CASE, lake=tmp_path / "nowhere")


def test_a_directory_that_is_not_a_lake_is_an_error_not_an_empty_frame(lake):
    with pytest.raises(analytics.QueryError, match=f"{lake.parent} is not a lake directory: it has none of raw/metric_snapshots/"):
        analytics.runs(USE_CASE, lake=lake.parent)


def test_an_unknown_use_case_names_the_use_cases_in_the_lake(lake):
    with pytest.raises(analytics.AnalyticsError) as raised:
        analytics.runs("churn-predicton", lake=lake)

    assert str(raised.value) == (
        f"no runs of use case 'churn-predicton' (pipeline churn-predicton-dev) in the lake {lake}; "
        f"its use cases: {USE_CASE}, {OTHER_USE_CASE}"
    )

