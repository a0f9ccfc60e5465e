"""MLflow's times (whole milliseconds since the epoch) to and from aware datetimes, exactly (no float):
the lake writes times to the millisecond, and a float round trip can lose one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Optional

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MILLISECOND = timedelta(milliseconds=1)


def milliseconds(moment: datetime) -> int:
    """Truncated to the millisecond, as the lake's times are (mlmeta_runtime.lake_writer.iso_utc)."""
    if moment.tzinfo is None:
        raise ValueError(f"an aware datetime is needed, got {moment!r}")
    return (moment - EPOCH) // MILLISECOND


def moment(value: Any) -> Optional[datetime]:
    """The datetime of an MLflow time; None for a missing one (0 or absent: a run still running)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return EPOCH + value * MILLISECOND
