"""Draws a MetricChart as a PNG: the metric per execution, its 7-run moving average, the threshold
line (when there is a min_value) and the flagged runs.

No pyplot: a bare Figure on the Agg canvas opens no window and leaves no global figure state. The
output is reproducible: fixed size and dpi, matplotlib's default style whatever the user's
matplotlibrc says, and no Software text chunk (which would carry the matplotlib version).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.style
import matplotlib.dates as mdates
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from mlmeta.charts.metric_chart import MetricChart, plural

FIGURE_SIZE_INCHES = (12.0, 5.0)
DPI = 100
# The PNG is FIGURE_SIZE_INCHES * DPI pixels: 1200 x 500.
PIXEL_SIZE = (int(FIGURE_SIZE_INCHES[0] * DPI), int(FIGURE_SIZE_INCHES[1] * DPI))
# Artist ids (gid), so tests and callers can find what a figure draws.
VALUE, MOVING_AVERAGE, DRIFT_POINTS, BELOW_THRESHOLD_POINTS, THRESHOLD = (
    "value", "moving-average", "drift", "below-threshold", "threshold",
)


def write_png(chart: MetricChart, out: Path) -> Path:
    """Draw ``chart`` into the PNG file ``out``; raises OSError if it cannot be written."""
    with matplotlib.style.context("default"):
        figure = build_figure(chart)
        figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out


def build_figure(chart: MetricChart) -> Figure:
    figure = Figure(figsize=FIGURE_SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    runs = chart.runs
    axes.plot(_times(runs), runs["value"].to_numpy(float), marker=".", linewidth=1, color="tab:blue",
              label=chart.metric, gid=VALUE)
    axes.plot(_times(runs), runs["moving_avg_7"].to_numpy(float), linewidth=2, color="tab:gray",
              label="7-run moving average", gid=MOVING_AVERAGE)
    if chart.min_value is not None:
        axes.axhline(chart.min_value, linestyle="--", linewidth=1, color="tab:orange",
                     label=f"threshold {chart.min_value:g}", gid=THRESHOLD)
    _mark(axes, chart.drift_points, marker="o", color="tab:red", gid=DRIFT_POINTS,
          label=f"drift (|z| >= {chart.z_threshold:g} vs previous {chart.window} runs)")
    if chart.min_value is not None:
        _mark(axes, chart.below_threshold_points, marker="v", color="tab:orange", gid=BELOW_THRESHOLD_POINTS,
              label=f"below {chart.min_value:g}")
    locator = mdates.AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes.set_xlabel("execution end (UTC)")
    axes.set_ylabel(chart.metric)
    axes.set_title(f"{chart.metric} of {chart.pipeline}: {len(runs)} runs, {plural(len(chart.drift_points), 'drift point')}")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="best")
    return figure


def _mark(axes, points, *, marker: str, color: str, gid: str, label: str) -> None:
    # Drawn even with no points, so the legend always says what a marker would mean.
    axes.plot(_times(points), points["value"].to_numpy(float), linestyle="none", marker=marker, markersize=9,
              markerfacecolor="none", markeredgewidth=2, color=color, label=label, gid=gid)


def _times(runs) -> np.ndarray:
    """UTC execution ends as naive datetime64 (matplotlib's date axis has no time zone to show)."""
    return runs["execution_end"].dt.tz_localize(None).to_numpy("datetime64[ns]")
