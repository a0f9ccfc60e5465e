"""Whether Search shows every metric an analysis component logged, and what is done when it does not.

The evaluation step records, with the component, how many metrics it logs (parameter
``mlmeta:metrics-logged``, pipelines/common/tracking.py), then logs them with SageMaker Metrics'
BatchPutMetrics. Search shows a component's metrics some time later (eventual consistency), so a
snapshot taken at once could miss some, and the snapshot would keep the gap. The snapshotter compares
the count of metric summaries Search shows on each analysis component with that parameter:

- **short, within ``SETTLE_TIME`` of the execution's end**: ``MetricsNotSearchableYet`` (transient) is
  raised before anything is written; Lambda retries the event (twice, minutes apart), then the
  reconciler, hourly, finds no snapshot and tries again;
- **short, later** (Search lags beyond any plausible delay, or the step failed half-way through
  logging): the snapshot is written with what Search shows, and first an *incomplete-snapshot marker*
  ``state/reconciler/incomplete-snapshots/<execution_id>.json`` (execution ARN, status, start, end):
  the reconciler snapshots every marked execution again on each run, within its look-back window, and
  removes the marker once a complete snapshot has overwritten the incomplete one (same keys);
- a component without the parameter (another tool logged it, or an older pipeline) is not checked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mlmeta_contract.naming.tags import METRICS_LOGGED
from mlmeta_runtime.errors import NotReadyYet
from mlmeta_runtime.lake_writer import iso_utc

# pipelines/common/tracking.py writes it (a test keeps the two equal).
# Longer than Search's usual lag and the event's retries (Lambda retries after about 1 and 3 minutes).
SETTLE_TIME = timedelta(minutes=30)
INCOMPLETE_MARKERS_PREFIX = "state/reconciler/incomplete-snapshots/"
MARKER_SUFFIX = ".json"


@dataclass(frozen=True)
class Shortfall:
    """An analysis component whose metrics Search does not all show (yet)."""

    trial_component_name: str
    logged: int
    shown: int

    def __str__(self) -> str:
        return f"{self.trial_component_name}: Search shows {self.shown} of the {self.logged} metrics it logged"


class MetricsNotSearchableYet(NotReadyYet):
    """Search does not show every metric yet: raised so that Lambda (and later the reconciler) retries."""

    def __init__(self, execution_arn: str, shortfalls: Sequence[Shortfall]) -> None:
        super().__init__(f"execution {execution_arn}: {'; '.join(map(str, shortfalls))}")
        self.shortfalls = tuple(shortfalls)


def shortfalls(analysis_components: Sequence[Mapping[str, Any]]) -> list[Shortfall]:
    """The analysis components (Search's TrialComponent shapes) that show fewer metrics than they logged."""
    found = []
    for component in analysis_components:
        logged = ((component.get("Parameters") or {}).get(METRICS_LOGGED) or {}).get("NumberValue")
        if not isinstance(logged, (int, float)) or isinstance(logged, bool):
            continue
        shown = len({m["MetricName"] for m in component.get("Metrics") or [] if isinstance(m.get("MetricName"), str)})
        if shown < logged:
            found.append(Shortfall(str(component.get("TrialComponentName")), int(logged), shown))
    return found


def still_settling(end: datetime, now: datetime) -> bool:
    return now - end < SETTLE_TIME


def marker_key(execution_id: str) -> str:
    return f"{INCOMPLETE_MARKERS_PREFIX}{execution_id}{MARKER_SUFFIX}"


@dataclass(frozen=True)
class IncompleteMarker:
    """What the reconciler needs to snapshot the execution again without its event."""

    execution_arn: str
    status: str
    start: datetime | None
    end: datetime

    def body(self, found: Sequence[Shortfall]) -> bytes:
        return json.dumps(
            {
                "pipeline_execution_arn": self.execution_arn,
                "execution_status": self.status,
                "execution_start": iso_utc(self.start),
                "execution_end": iso_utc(self.end),
                "shortfalls": [str(shortfall) for shortfall in found],
            },
            sort_keys=True,
        ).encode()

    @classmethod
    def parse(cls, body: bytes) -> IncompleteMarker:
        """Raises ValueError, KeyError or TypeError on a body that is not a marker."""
        fields = json.loads(body)
        start = fields.get("execution_start")
        return cls(
            execution_arn=str(fields["pipeline_execution_arn"]),
            status=str(fields["execution_status"]),
            start=_time(start) if start else None,
            end=_time(fields["execution_end"]),
        )


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"time without a zone: {text!r}")
    return moment
