"""The data step of `mlmeta plot`: the series a chart draws equals the named queries' rows."""

from __future__ import annotations

import pytest
from plot_fixtures import EXECUTIONS, PIPELINE, PLANTED_DRIFT, USE_CASE

from mlmeta.charts.metric_chart import load_metric_chart, plural
from mlmeta.queries.drift_defaults import DEFAULT_MIN_CHANGE
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
    drift = run_named("metric_drift", [PIPELINE, "auc", *OPEN, 10, 3.0, 0.89, DEFAULT_MIN_CHANGE], lake=lake).as_dicts()

    assert chart.runs["flag"].tolist() == [row["flag"] for row in drift]
    assert chart.drift_points["pipeline_execution_id"].tolist() == [r["pipeline_execution_id"] for r in drift if r["flag"] == "DRIFT"]
    assert chart.below_threshold_points["value"].tolist() == [r["value"] for r in drift if r["flag"] == "BELOW_THRESHOLD"]


def test_the_planted_drift_is_a_drift_point(chart):
    first_shifted = chart.runs.iloc[PLANTED_DRIFT.start_run]
    assert first_shifted["flag"] == "DRIFT"
    assert not chart.below_threshold_points.empty  # the shifted runs that no longer stand out are below 0.89


def test_the_summary_counts_runs_and_drift_points(chart):
    drift = len(chart.drift_points)
    # Every run below 0.89 counts, the drift points among them too (the DRIFT flag wins over BELOW_THRESHOLD).
    below = int((chart.runs["value"] < 0.89).sum())
    below_and_drift = int(((chart.runs["value"] < 0.89) & (chart.runs["flag"] == "DRIFT")).sum())
    assert below == len(chart.below_threshold_points) + below_and_drift and below_and_drift >= 1
    assert chart.summary() == (
        f"{EXECUTIONS} runs of {PIPELINE} auc from 2026-01-05 to 2026-03-05; "
        f"{plural(drift, 'drift point')} (|z| >= 3 and 1% off the median of the previous 10 runs); "
        f"{below} below 0.89 ({below_and_drift} of them {'a drift point' if below_and_drift == 1 else 'drift points'})"
    )


def test_one_run_is_one_run_not_one_runs(lake):
    chart = load_metric_chart("auc", USE_CASE, lake=lake, since="2026-01-20", until="2026-01-20")
    assert chart.summary().startswith(f"1 run of {PIPELINE} auc from 2026-01-20 to 2026-01-20; ")


def test_without_min_value_nothing_is_below_threshold(lake):
    chart = load_metric_chart("auc", USE_CASE, lake=lake)
    assert chart.min_value is None and chart.below_threshold_points.empty
    assert "below" not in chart.summary()


def test_a_date_range_limits_both_queries(lake):
    chart = load_metric_chart("auc", USE_CASE, lake=lake, since="2026-02-01", until="2026-02-10")

    history = run_named("metric_history", [PIPELINE, "auc", "2026-02-01", "2026-02-10"], lake=lake)
    assert chart.runs["value"].tolist() == [row["value"] for row in history.as_dicts()]
    assert (chart.from_dt, chart.to_dt, len(chart.runs)) == ("2026-02-01", "2026-02-10", 10)


ONSET_DAY = "2026-02-19"  # run 45 of 60 daily runs from 2026-01-05


def test_a_drift_onset_in_a_short_range_is_scored_against_the_runs_before_the_range(lake, chart):
    short = load_metric_chart("auc", USE_CASE, lake=lake, since=ONSET_DAY, until="2026-02-21", window=10, z_threshold=3.0, min_value=0.89)

    # Drawn: the range only. Judged: against the history, as in the chart of everything.
    assert short.runs["execution_end"].dt.strftime("%Y-%m-%d").tolist() == [ONSET_DAY, "2026-02-20", "2026-02-21"]
    assert short.runs.iloc[0]["flag"] == "DRIFT"
    whole = chart.runs.set_index("pipeline_execution_id").loc[short.runs["pipeline_execution_id"]]
    assert short.runs["flag"].tolist() == whole["flag"].tolist()
    assert short.runs["moving_avg_7"].tolist() == whole["moving_avg_7"].tolist()  # the average has its 6 runs before, too
    assert short.read_from == "0001-01-01"  # a local lake is read from its start: it costs nothing


def test_a_one_day_range_of_the_onset_is_a_drift_point(lake):
    one = load_metric_chart("auc", USE_CASE, lake=lake, since=ONSET_DAY, until=ONSET_DAY)
    assert len(one.runs) == 1 and len(one.drift_points) == 1
