"""The drawing step: what the figure draws is the chart's series, and the PNG is reproducible."""

from __future__ import annotations

import matplotlib
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
