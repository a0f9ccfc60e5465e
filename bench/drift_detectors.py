"""The drift detectors the drift-defaults benchmark compares, on many series at once (numpy).

Each judges run ``i`` against the ``window`` runs before it, and only when there are that many (the
first ``window`` runs are never scored, as in ``mlmeta/queries/sql/metric_drift.sql``):

- ``z-score``: ``|value - mean| >= threshold * stddev`` (sample standard deviation, a zero spread
  never flags): the check metric_drift ran before.
- ``median/MAD``: ``|value - median| >= threshold * 1.4826 * MAD``, with MAD the median absolute
  deviation from the median (1.4826 * MAD estimates a normal series' standard deviation). A run equal
  to the median never flags; with a MAD of 0 any other value passes this part.

Both optionally need a minimum effect, ``|value - centre| >= min_change * |centre|``, so that a narrow
series does not alarm on changes too small to matter. The median/MAD detector with a minimum effect
is what metric_drift runs now; tests/bench checks that this module and the query flag the same runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# 1 / Phi^-1(3/4): MAD times this estimates the standard deviation of a normal series.
MAD_TO_STDDEV = 1.4826


@dataclass(frozen=True)
class Detector:
    robust: bool  # median/MAD, else mean/standard deviation
    window: int
    threshold: float
    min_change: float = 0.0

    @property
    def label(self) -> str:
        kind = "median/MAD" if self.robust else "z-score"
        effect = f", change >= {self.min_change:.0%}" if self.min_change else ""
        return f"{kind}, window {self.window}, |z| >= {self.threshold:g}{effect}"

    def flags(self, series: np.ndarray) -> np.ndarray:
        """DRIFT flags, shaped like ``series`` (one series per row, oldest run first)."""
        windows = sliding_window_view(series, self.window, axis=1)[:, :-1]  # the runs before runs window..end
        judged = series[:, self.window :]
        if self.robust:
            centre = np.median(windows, axis=-1)
            spread = MAD_TO_STDDEV * np.median(np.abs(windows - centre[..., None]), axis=-1)
        else:
            centre = windows.mean(axis=-1)
            spread = windows.std(axis=-1, ddof=1)
        change = np.abs(judged - centre)
        with np.errstate(divide="ignore", invalid="ignore"):
            far_out = change / spread >= self.threshold  # |z|, as the query compares it
        # A zero spread: the z-score never flags; median/MAD lets the change decide (any change at all).
        drifted = (change > 0) & (np.where(spread > 0, far_out, False) | ((spread == 0) & self.robust))
        drifted &= change >= self.min_change * np.abs(centre)
        flags = np.zeros(series.shape, dtype=bool)
        flags[:, self.window :] = drifted
        return flags
