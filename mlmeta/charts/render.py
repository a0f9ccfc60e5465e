"""Draws a MetricChart as a PNG: the metric per execution, its 7-run moving average, the threshold
line (when there is a min_value) and the flagged runs.

No pyplot: a bare Figure on the Agg canvas opens no window and leaves no global figure state. The
output is reproducible: fixed size and dpi, matplotlib's default style whatever the user's
matplotlibrc says, and no Software text chunk (which would carry the matplotlib version).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.style
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
# Runs that all end at one instant (a single run) get this much of the time axis on either side;
# matplotlib would otherwise widen a zero span to years.
SINGLE_INSTANT_MARGIN = np.timedelta64(12, "h")
# A threshold further from the runs than this many times their spread (or 1% of their size, for a flat
# series) is not drawn: the axis would squash the runs flat, and near the limits of a double
# (--min-value 1e308) matplotlib's tick arithmetic overflows. The legend says where it is instead.
THRESHOLD_REACH = 10.0
# Metric names drawn (y label, title, legend) are cut to this many characters, with an ellipsis.
MAX_LABEL_CHARACTERS = 60


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
    times = _times(runs)
    metric = _shortened(chart.metric)
    axes.plot(times, runs["value"].to_numpy(float), marker=".", linewidth=1, color="tab:blue",
              label=metric, gid=VALUE)
    axes.plot(times, runs["moving_avg_7"].to_numpy(float), linewidth=2, color="tab:gray",
              label="7-run moving average", gid=MOVING_AVERAGE)
    if chart.min_value is not None:
        side = _off_the_chart(runs, chart.min_value)
        if side is None:
            axes.axhline(chart.min_value, linestyle="--", linewidth=1, color="tab:orange",
                         label=f"threshold {chart.min_value:g}", gid=THRESHOLD)
        else:  # an empty entry, so the legend still names the threshold
            axes.plot([], [], linestyle="--", linewidth=1, color="tab:orange",
                      label=f"threshold {chart.min_value:g} ({side} the chart)", gid=THRESHOLD)
    _mark(axes, chart.drift_points, marker="o", color="tab:red", gid=DRIFT_POINTS,
          label=f"drift ({chart.drift_rule})")
    if chart.min_value is not None:
        _mark(axes, chart.below_threshold_points, marker="v", color="tab:orange", gid=BELOW_THRESHOLD_POINTS,
              label=f"below {chart.min_value:g}")
    if len(times) and times.min() == times.max():
        axes.set_xlim(times[0] - SINGLE_INSTANT_MARGIN, times[0] + SINGLE_INSTANT_MARGIN)
    locator = mdates.AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes.set_xlabel("execution end (UTC)")
    axes.set_ylabel(metric)
    axes.set_title(f"{metric} of {chart.pipeline}: {plural(len(runs), 'run')}, {plural(len(chart.drift_points), 'drift point')}")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="best")
    return figure


def _shortened(text: str) -> str:
    """At most MAX_LABEL_CHARACTERS: a longer metric name as the y label would squeeze the axes to nothing."""
    return text if len(text) <= MAX_LABEL_CHARACTERS else text[: MAX_LABEL_CHARACTERS - 1] + "\u2026"


def _off_the_chart(runs, threshold: float) -> str | None:
    """"above" or "below" when ``threshold`` is beyond THRESHOLD_REACH of the drawn values, else None."""
    drawn = np.concatenate([runs["value"].to_numpy(float), runs["moving_avg_7"].to_numpy(float)])
    drawn = drawn[np.isfinite(drawn)]
    if not len(drawn):
        return None
    low, high = float(drawn.min()), float(drawn.max())
    reach = THRESHOLD_REACH * max(high - low, 0.01 * max(abs(low), abs(high)), np.finfo(float).tiny)
    if threshold > high and threshold - high > reach:
        return "above"
    if threshold < low and low - threshold > reach:
        return "below"
    return None


def _mark(axes, points, *, marker: str, color: str, gid: str, label: str) -> None:
    # Drawn even with no points, so the legend always says what a marker would mean.
    axes.plot(_times(points), points["value"].to_numpy(float), linestyle="none", marker=marker, markersize=9,
              markerfacecolor="none", markeredgewidth=2, color=color, label=label, gid=gid)


def _times(runs) -> np.ndarray:
    """UTC execution ends as naive datetime64 (matplotlib's date axis has no time zone to show)."""
    return runs["execution_end"].dt.tz_localize(None).to_numpy("datetime64[ns]")
