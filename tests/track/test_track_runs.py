"""mlmeta.track.runs (a DataFrame, one row per run) and mlmeta.track.chart (a PNG), from both backends."""

from __future__ import annotations

import uuid

import matplotlib.image
import pytest

import mlmeta
from mlmeta.charts.render import PIXEL_SIZE
from mlmeta.track import RUN_COLUMNS, NameRefused, TrackingError

DAY = "20261126"


def _three_runs_and_one_elsewhere(user: str) -> list[str]:
    names = []
    for depth, auc in ((3, 0.88), (5, 0.91), (7, 0.90)):
        with mlmeta.track(use_case="churn-prediction", topic="feature-selection", user=user, date=DAY) as run:
            run.log_params({"max_depth": depth}); run.log_metric("auc", auc - 0.05, step=0); run.log_metric("auc", auc, step=1)
        names.append(run.run_name)
    with mlmeta.track(use_case="churn-prediction", topic="calibration", user=user, date=DAY) as other:
        other.log_metric("brier", 0.1)
    return names


def _check_frame(frame, names, user, max_depths):
    assert list(frame.columns) == [*RUN_COLUMNS, "param.max_depth", "metric.auc"]
    assert frame["run_name"].tolist() == names
    assert frame["run"].tolist() == ["run1", "run2", "run3"]
    assert set(frame["topic"]) == {"feature-selection"} and set(frame["user"]) == {user} and set(frame["date"]) == {DAY}
    assert set(frame["trial"]) == {f"churn-prediction-eda-{user}-{DAY}-feature-selection"}
    assert set(frame["status"]) == {"Completed"}
    assert frame["metric.auc"].tolist() == [0.88, 0.91, 0.90]  # the last value of each run
    assert frame["param.max_depth"].tolist() == max_depths
    assert str(frame["start"].dtype) == "datetime64[us, UTC]" and (frame["end"] >= frame["start"]).all()


def test_runs_on_sagemaker_one_row_per_run_with_params_and_last_metrics(local_aws):
    names = _three_runs_and_one_elsewhere("ikazaki")
    frame = mlmeta.track.runs(use_case="churn-prediction", topic="feature-selection", user="ikazaki")
    _check_frame(frame, names, "ikazaki", ["3", "5", "7"])  # text, as the lake and MLflow keep parameters
    everything = mlmeta.track.runs(use_case="churn-prediction", user="ikazaki")
    assert sorted(everything["topic"]) == ["calibration", *["feature-selection"] * 3]
    assert mlmeta.track.runs(use_case="churn-prediction", user="ikazaki", date="20261127").empty


def test_runs_on_mlflow_read_the_same(mlflow_server, monkeypatch):
    monkeypatch.setenv("MLMETA_MLFLOW_TRACKING_URI", mlflow_server.tracking_uri)
    monkeypatch.setenv("MLMETA_TRACKING_BACKEND", "mlflow")
    user = "t" + uuid.uuid4().hex[:10]
    names = _three_runs_and_one_elsewhere(user)
    frame = mlmeta.track.runs(use_case="churn-prediction", topic="feature-selection", user=user)
    _check_frame(frame, names, user, ["3", "5", "7"])


def test_no_runs_is_an_empty_frame_with_the_columns(local_aws):
    frame = mlmeta.track.runs(use_case="churn-prediction", topic="feature-selection", user="nobody")
    assert frame.empty and list(frame.columns) == list(RUN_COLUMNS)


def test_runs_refuses_an_off_convention_part_before_any_call(counted_session):
    session, counter = counted_session
    with pytest.raises(NameRefused, match=r"topic 'Feature-Selection'"):
        mlmeta.track.runs(use_case="churn-prediction", topic="Feature-Selection", session=session)
    assert counter.calls == []


def test_chart_draws_a_metric_over_the_runs(local_aws, tmp_path):
    _three_runs_and_one_elsewhere("ikazaki")
    out = mlmeta.track.chart("auc", use_case="churn-prediction", topic="feature-selection", user="ikazaki", out=tmp_path / "auc.png")
    assert out == tmp_path / "auc.png"
    height, width = matplotlib.image.imread(out).shape[:2]
    assert (width, height) == PIXEL_SIZE
    with pytest.raises(TrackingError, match=r"no run logged metric 'f1'; the runs logged: auc"):
        mlmeta.track.chart("f1", use_case="churn-prediction", topic="feature-selection", user="ikazaki", out=tmp_path / "f1.png")


def test_the_chart_is_the_metric_of_each_run_and_its_moving_average(local_aws):
    from mlmeta.charts.render import DRIFT_POINTS, MOVING_AVERAGE, VALUE
    from mlmeta.track.listing import eda_figure

    _three_runs_and_one_elsewhere("ikazaki")
    frame = mlmeta.track.runs(use_case="churn-prediction", topic="feature-selection", user="ikazaki")
    axes = eda_figure(frame, "auc", "feature-selection").axes[0]
    lines = {line.get_gid(): line for line in axes.get_lines()}
    assert lines[VALUE].get_ydata().tolist() == [0.88, 0.91, 0.90]
    assert [round(v, 6) for v in lines[MOVING_AVERAGE].get_ydata()] == [0.88, 0.895, 0.896667]
    assert DRIFT_POINTS not in lines  # EDA runs are not drift-checked
    assert axes.get_title() == "auc of churn-prediction-eda-ikazaki (feature-selection): 3 runs"
