"""What a run logs, checked before any backend sees it: parameters are strings or numbers, metrics
finite numbers at a non-negative integer step. Each backend adds its own name rules."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from numbers import Real

from mlmeta.track.errors import TrackingError

ParameterValue = str | int | float


@dataclass(frozen=True)
class MetricPoint:
    name: str
    value: float
    step: int | None
    timestamp: datetime  # aware, UTC


def parameter_value(name: str, value: object) -> ParameterValue:
    if not isinstance(name, str) or not name:
        raise TrackingError(f"parameter name {name!r} must be a non-empty string")
    # bool is an int in Python, but both backends would store True as 1: say what was meant instead.
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise TrackingError(f"parameter {name} must be a string or a number, got {value!r}: log str(value) or a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise TrackingError(f"parameter {name} is {value}: log a finite number or a string")
    return value


def metric_point(name: object, value: object, step: object, timestamp: datetime | None) -> MetricPoint:
    if not isinstance(name, str) or not name:
        raise TrackingError(f"metric name {name!r} must be a non-empty string")
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
        raise TrackingError(f"metric {name} is {value!r}: log a finite number")
    if step is not None and (isinstance(step, bool) or not isinstance(step, int) or step < 0):
        raise TrackingError(f"metric {name}: step {step!r} must be a non-negative integer (or None)")
    if timestamp is None:
        moment = datetime.now(UTC)
    elif timestamp.tzinfo is None:
        raise TrackingError(f"metric {name}: timestamp {timestamp.isoformat()} has no time zone; pass an aware datetime (UTC)")
    else:
        moment = timestamp.astimezone(UTC)
    return MetricPoint(name, float(value), step, moment)
