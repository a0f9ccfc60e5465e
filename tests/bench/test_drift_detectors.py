"""The drift-defaults benchmark measures the detector metric_drift runs: bench.drift_detectors flags the
same runs as mlmeta/queries/sql/metric_drift.sql on a lake, for several settings, and its figures move the way
they must (more seeds do not change what is measured, planted drops are found)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from bench.drift_defaults import PREVIOUS_DEFAULTS, detection, false_alarms_per_1000
from bench.drift_detectors import Detector
from bench.drift_series import FAMILY, Drop
from mlmeta.local.synthetic_lake import Drift, generate_history, write_lake
from mlmeta.queries.drift_defaults import DEFAULT_MIN_CHANGE, DEFAULT_WINDOW, DEFAULT_Z_THRESHOLD
from mlmeta.queries.runner import run_named

PIPELINE = "churn-prediction-dev"
OPEN = ["0001-01-01", "9999-12-31"]


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    directory = tmp_path_factory.mktemp("lake")
    history = generate_history(seed=5, use_cases=("churn-prediction",), executions=80, spacing=timedelta(days=1),
                               drift=Drift(metric_name="auc", start_run=60, shift=-0.04))
    write_lake(directory, history)
    return directory


@pytest.mark.parametrize(
    ("metric", "detector"),
    [
        ("auc", Detector(robust=True, window=DEFAULT_WINDOW, threshold=DEFAULT_Z_THRESHOLD, min_change=DEFAULT_MIN_CHANGE)),
        ("auc", Detector(robust=True, window=8, threshold=2.0, min_change=0.0)),  # an even window: the mean of the middle two
        ("f1", Detector(robust=True, window=7, threshold=1.5, min_change=0.002)),
        ("rows_dropped", Detector(robust=True, window=5, threshold=3.0, min_change=0.0)),  # mostly 0: a MAD of 0
    ],
)
def test_the_benchmarked_detector_flags_what_metric_drift_flags(lake, metric, detector):
    params = [detector.window, detector.threshold, -1e300, detector.min_change]
    rows = run_named("metric_drift", [PIPELINE, metric, *OPEN, *params], lake=lake).as_dicts()
    values = np.array([[row["value"] for row in rows]])

    expected = [i for i, row in enumerate(rows) if row["flag"] == "DRIFT"]
    assert np.flatnonzero(detector.flags(values)[0]).tolist() == expected
    assert expected  # each setting flags something, so the comparison says something


def test_the_benchmarked_z_score_is_the_previous_check():
    """mean / sample stddev of a full window, a zero spread never flags."""
    series = np.array([[1.0, 1.0, 1.0, 5.0, 1.0, 1.2, 0.8, 1.0, 3.0]])
    flags = Detector(robust=False, window=3, threshold=3.0).flags(series)[0]
    assert flags.tolist() == [False, False, False, False, False, False, False, False, True]


def test_false_alarms_and_detection_move_as_they_must():
    rng = np.random.default_rng(3)
    stable = FAMILY["gaussian"].draw(rng, 200)
    # The previous defaults alarm on ordinary noise about 2% of the time; the new ones almost never.
    assert false_alarms_per_1000(PREVIOUS_DEFAULTS, stable) > 10
    chosen = Detector(robust=True, window=DEFAULT_WINDOW, threshold=DEFAULT_Z_THRESHOLD, min_change=DEFAULT_MIN_CHANGE)
    assert false_alarms_per_1000(chosen, stable) < 2
    found, delay = detection(chosen, Drop("5-point drop", "gaussian", 0.05).draw(rng, 200))
    assert found == 100 and delay == 0
    # One broken run blinds the mean and standard deviation for a window; the median and MAD barely move.
    after_broken_run = Drop("after a broken run", "gaussian", 0.05, broken_run=True).draw(rng, 200)
    assert detection(chosen, after_broken_run)[0] > 95
    assert detection(Detector(robust=False, window=DEFAULT_WINDOW, threshold=4.0), after_broken_run)[0] < 5
