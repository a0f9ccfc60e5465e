"""The data step of `mlmeta plot`: the series a chart draws equals the named queries' rows."""

from __future__ import annotations

import pytest
from plot_fixtures import EXECUTIONS, PIPELINE, PLANTED_DRIFT, USE_CASE

from mlmeta.charts.metric_chart import load_metric_chart, plural
from mlmeta.queries.runner import run_named

OPEN = ["0001-01-01", "9999-12-31"]


@pytest.fixture(scope="module")
def chart(lake):
    return load_metric_chart("auc", USE_CASE, "dev", lake=lake, window=10, z_threshold=3.0, min_value=0.89)


def test_the_series_is_metric_historys_rows(chart, lake):
    history = run_named("metric_history", [PIPELINE, "auc", *OPEN], lake=lake).as_dicts()

    assert chart.runs["pipeline_execution_id"].tolist() == [row["pipeline_execution_id"] for row in history]
    assert chart.runs["value"].tolist() == [row["value"] for row in history]
    assert chart.runs["moving_avg_7"].tolist() == [row["moving_avg_7"] for row in history]
    ended = chart.runs["execution_end"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z"
    assert ended.tolist() == [row["execution_end"] for row in history]
    assert len(history) == EXECUTIONS


def test_flags_are_metric_drifts(chart, lake):
    drift = run_named("metric_drift", [PIPELINE, "auc", *OPEN, 10, 3.0, 0.89], lake=lake).as_dicts()

    assert chart.runs["flag"].tolist() == [row["flag"] for row in drift]
    assert chart.drift_points["pipeline_execution_id"].tolist() == [r["pipeline_execution_id"] for r in drift if r["flag"] == "DRIFT"]
    assert chart.below_threshold_points["value"].tolist() == [r["value"] for r in drift if r["flag"] == "BELOW_THRESHOLD"]


def test_the_planted_drift_is_a_drift_point(chart):
    first_shifted = chart.runs.iloc[PLANTED_DRIFT.start_run]
    assert first_shifted["flag"] == "DRIFT"
    assert not chart.below_threshold_points.empty  # the shifted runs that no longer stand out are below 0.89


def test_the_summary_counts_runs_and_drift_points(chart):
    drift, below = len(chart.drift_points), len(chart.below_threshold_points)
    assert chart.summary() == (
        f"{EXECUTIONS} runs of {PIPELINE} auc from 2026-01-05 to 2026-03-05; "
        f"{plural(drift, 'drift point')} (|z| >= 3 against the previous 10 runs); {below} below 0.89"
    )


def test_without_min_value_nothing_is_below_threshold(lake):
    chart = load_metric_chart("auc", USE_CASE, lake=lake)
    assert chart.min_value is None and chart.below_threshold_points.empty
    assert "below" not in chart.summary()


def test_a_date_range_limits_both_queries(lake):
    chart = load_metric_chart("auc", USE_CASE, lake=lake, since="2026-02-01", until="2026-02-10")

    history = run_named("metric_history", [PIPELINE, "auc", "2026-02-01", "2026-02-10"], lake=lake)
    assert chart.runs["value"].tolist() == [row["value"] for row in history.as_dicts()]
    assert (chart.from_dt, chart.to_dt, len(chart.runs)) == ("2026-02-01", "2026-02-10", 10)
