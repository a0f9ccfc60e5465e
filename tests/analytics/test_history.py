"""metric_history and metric_drift: thin wrappers that return the named queries' rows as DataFrames."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from analytics_fixtures import PIPELINE, PLANTED_DRIFT, USE_CASE

from mlmeta import analytics
from mlmeta.queries.runner import run_named

OPEN = ("0001-01-01", "9999-12-31")


def as_query_rows(frame: pd.DataFrame) -> list[dict]:
    """The frame back in the engine's terms: ISO text for times, None for NaN."""
    rows = frame.assign(execution_end=frame.execution_end.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z")
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in rows.to_dict("records")]


def test_metric_history_is_the_named_querys_rows(lake):
    frame = analytics.metric_history("auc", USE_CASE, "dev", lake=lake)

    expected = run_named("metric_history", [PIPELINE, "auc", *OPEN], lake=lake)
    assert tuple(frame.columns) == expected.columns
    assert as_query_rows(frame) == expected.as_dicts()
    assert str(frame.execution_end.dtype) == "datetime64[us, UTC]"
    assert len(frame) == 40


def test_metric_drift_is_the_named_querys_rows(lake):
    frame = analytics.metric_drift("auc", USE_CASE, lake=lake, window=8, z_threshold=2.5, min_value=0.9)

    expected = run_named("metric_drift", [PIPELINE, "auc", *OPEN, 8, 2.5, 0.9, analytics.DEFAULT_MIN_CHANGE], lake=lake)
    assert as_query_rows(frame) == expected.as_dicts()
    assert frame.flag.iloc[PLANTED_DRIFT.start_run] == "DRIFT"
    assert {"DRIFT", "BELOW_THRESHOLD", "OK"} <= set(frame.flag)


def test_without_min_value_no_run_is_below_threshold(lake):
    frame = analytics.metric_drift("auc", USE_CASE, lake=lake)

    assert "BELOW_THRESHOLD" not in set(frame.flag)
    defaults = [analytics.DEFAULT_WINDOW, analytics.DEFAULT_Z_THRESHOLD, -sys.float_info.max, analytics.DEFAULT_MIN_CHANGE]
    expected = run_named("metric_drift", [PIPELINE, "auc", *OPEN, *defaults], lake=lake)
    assert frame.flag.tolist() == [row["flag"] for row in expected.as_dicts()]
    # The same runs with a threshold above every value: all non-drift runs become BELOW_THRESHOLD.
    above_all = analytics.metric_drift("auc", USE_CASE, lake=lake, min_value=2.0)
    assert set(above_all.flag) == {"DRIFT", "BELOW_THRESHOLD"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window": 0}, "window must be a whole number of runs >= 1, got 0"),
        ({"window": 2.5}, "window must be a whole number of runs >= 1, got 2.5"),
        ({"window": True}, "window must be a whole number of runs >= 1, got True"),
        ({"z_threshold": 0}, "z_threshold must be a positive number, got 0"),
        ({"z_threshold": float("inf")}, "z_threshold must be a positive number, got inf"),
        ({"min_value": float("nan")}, "min_value must be a finite number or None, got nan"),
        ({"min_change": -0.01}, "min_change must be a finite number >= 0 (a fraction of the median, e.g. 0.01), got -0.01"),
        ({"min_change": float("inf")}, "min_change must be a finite number >= 0 (a fraction of the median, e.g. 0.01), got inf"),
    ],
)
def test_bad_drift_settings_are_refused_before_any_query(tmp_path, kwargs, message):
    with pytest.raises(analytics.AnalyticsError) as caught:
        analytics.metric_drift("auc", USE_CASE, lake=tmp_path / "not-even-there", **kwargs)
    assert str(caught.value) == message
