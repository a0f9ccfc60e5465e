"""``mlmeta.track``: track EDA runs from a notebook by the naming convention (docs/tracking.md).

    import mlmeta
    with mlmeta.track(use_case="churn-prediction", topic="feature-selection") as run:
        run.log_params({"max_depth": 5}); run.log_metric("auc", 0.91, step=1)

    mlmeta.track.runs(use_case="churn-prediction", topic="feature-selection")   # a DataFrame, one row per run
    mlmeta.track.chart("auc", use_case="churn-prediction", topic="feature-selection", out="auc.png")

The module itself is callable (``mlmeta.track(...)`` is ``mlmeta.track.track(...)``), so one name
serves both the context manager and its helpers.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from mlmeta.track.backends import BACKENDS, TRACKING_BACKEND_ENV_VAR, TRACKING_URI_ENV_VAR
from mlmeta.track.errors import BackendError, NameRefused, TrackingError
from mlmeta.track.run import Run
from mlmeta.track.tracking import track

__all__ = [
    "BACKENDS",
    "RUN_COLUMNS",
    "TRACKING_BACKEND_ENV_VAR",
    "TRACKING_URI_ENV_VAR",
    "BackendError",
    "NameRefused",
    "Run",
    "TrackingError",
    "chart",
    "runs",
    "track",
]


# The listing needs pandas and matplotlib; a run does not, so they load on first use of runs() or chart().
_LISTING = frozenset({"RUN_COLUMNS", "chart", "runs"})


def __getattr__(name: str) -> Any:
    if name in _LISTING:
        from mlmeta.track import listing

        return getattr(listing, name)
    raise AttributeError(f"module 'mlmeta.track' has no attribute {name!r}")


class _CallableModule(types.ModuleType):
    def __call__(self, **kwargs: Any) -> Any:
        return track(**kwargs)


sys.modules[__name__].__class__ = _CallableModule
