"""The drawing step: what the figure draws is the chart's series, and the PNG is reproducible."""

from __future__ import annotations

import warnings
from dataclasses import replace

import matplotlib
import matplotlib.dates
import matplotlib.image
import numpy as np
import pytest
from plot_fixtures import USE_CASE
from PIL import Image

from mlmeta.charts import render
from mlmeta.charts.metric_chart import load_metric_chart


@pytest.fixture(scope="module")
def chart(lake):
    return load_metric_chart("auc", USE_CASE, lake=lake, min_value=0.89)


def lines_by_gid(figure) -> dict:
    (axes,) = figure.axes
    return {line.get_gid(): line for line in axes.lines}


def utc_naive(runs) -> np.ndarray:
    return runs["execution_end"].dt.tz_localize(None).to_numpy("datetime64[ns]")


def test_the_figure_draws_the_series_the_moving_average_and_the_flagged_runs(chart):
    lines = lines_by_gid(render.build_figure(chart))

    assert np.array_equal(lines[render.VALUE].get_xdata(), utc_naive(chart.runs))
    assert np.array_equal(lines[render.VALUE].get_ydata(), chart.runs["value"].to_numpy())
    assert np.array_equal(lines[render.MOVING_AVERAGE].get_ydata(), chart.runs["moving_avg_7"].to_numpy())
    assert np.array_equal(lines[render.DRIFT_POINTS].get_xdata(), utc_naive(chart.drift_points))
    assert np.array_equal(lines[render.DRIFT_POINTS].get_ydata(), chart.drift_points["value"].to_numpy())
    assert np.array_equal(lines[render.BELOW_THRESHOLD_POINTS].get_ydata(), chart.below_threshold_points["value"].to_numpy())
    assert list(lines[render.THRESHOLD].get_ydata()) == [0.89, 0.89]
    assert len(chart.drift_points) >= 1 and len(chart.below_threshold_points) >= 1


def test_no_threshold_line_without_min_value(lake):
    lines = lines_by_gid(render.build_figure(load_metric_chart("auc", USE_CASE, lake=lake)))
    assert render.THRESHOLD not in lines and render.BELOW_THRESHOLD_POINTS not in lines
    assert render.DRIFT_POINTS in lines


def test_the_png_has_the_fixed_pixel_size(chart, tmp_path):
    out = render.write_png(chart, tmp_path / "auc.png")

    height, width, _channels = matplotlib.image.imread(out).shape
    assert (width, height) == render.PIXEL_SIZE == (1200, 500)
    with Image.open(out) as image:
        assert image.format == "PNG" and image.size == (1200, 500)


def test_the_png_is_byte_identical_across_runs_and_user_styles(chart, tmp_path):
    first = render.write_png(chart, tmp_path / "first.png").read_bytes()
    # A user's matplotlibrc must not change the file (the renderer uses matplotlib's default style).
    with matplotlib.rc_context({"lines.linewidth": 5, "font.size": 20, "figure.dpi": 300, "savefig.dpi": 50}):
        second = render.write_png(chart, tmp_path / "second.png").read_bytes()

    assert first == second
    with Image.open(tmp_path / "first.png") as image:
        assert "Software" not in image.info  # the matplotlib version would otherwise be in the bytes
    assert b"tIME" not in first and b"matplotlib" not in first.lower()


def test_a_single_run_gets_a_day_of_time_axis_not_years(lake):
    one = load_metric_chart("auc", USE_CASE, lake=lake, since="2026-02-19", until="2026-02-19")
    (axes,) = render.build_figure(one).axes

    left, right = axes.get_xlim()  # matplotlib date units: days
    assert len(one.runs) == 1 and right - left == pytest.approx(1.0)
    assert left < matplotlib.dates.date2num(utc_naive(one.runs)[0]) < right


@pytest.mark.parametrize(("min_value", "side"), [(1e308, "above"), (-1e308, "below"), (5.0, "above")])
def test_a_threshold_far_from_the_runs_is_named_in_the_legend_not_drawn(lake, tmp_path, min_value, side):
    far = load_metric_chart("auc", USE_CASE, lake=lake, min_value=min_value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's overflow warning would fail the test
        figure = render.build_figure(far)
        render.write_png(far, tmp_path / "far.png")

    (axes,) = figure.axes
    lines = lines_by_gid(figure)
    assert len(lines[render.THRESHOLD].get_ydata()) == 0
    assert f"threshold {min_value:g} ({side} the chart)" in [text.get_text() for text in axes.get_legend().get_texts()]
    low, high = axes.get_ylim()
    assert low > 0.5 and high < 1.5  # the axis stays on the runs (auc about 0.9)


def test_a_long_metric_name_is_cut_in_the_labels_so_the_axes_keep_their_size(chart, tmp_path):
    long_name = "validation:" + "auc_" * 75
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "constrained_layout not applied because axes sizes collapsed to zero"
        figure = render.build_figure(replace(chart, metric=long_name))
        render.write_png(replace(chart, metric=long_name), tmp_path / "long.png")

    (axes,) = figure.axes
    assert len(axes.get_ylabel()) == render.MAX_LABEL_CHARACTERS and axes.get_ylabel().endswith("\u2026")
    assert long_name.startswith(axes.get_ylabel()[:-1])
