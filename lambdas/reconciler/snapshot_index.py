"""Which executions already have a metric snapshot: one listing of each day's partition of
``metric_snapshots`` (ListObjectsV2, 1,000 keys a page), not one HeadObject per execution.

The metric object is written last and marks a complete snapshot (snapshotter/snapshot.py), and its name
is the execution id (``raw/metric_snapshots/dt=<end date>/<execution_id>.json.gz``), so the ids in a
day's keys are the executions snapshotted that day. Execution ids are unique, so an id found on any
listed day counts, whichever of the event's ``executionEndTime`` and DescribePipelineExecution's
``LastModifiedTime`` chose the day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from mlmeta_contract.lake.layout import RAW_SUFFIX, partition_prefix, partition_value
from mlmeta_contract.lake.schema import METRIC_SNAPSHOTS


def partition_days(first: datetime, last: datetime) -> list[str]:
    """Every ``dt`` from ``first``'s UTC date to ``last``'s, in order."""
    days, moment = [], first
    while partition_value(moment) <= partition_value(last):
        days.append(partition_value(moment))
        moment += timedelta(days=1)
    return days


class SnapshotIndex:
    """The execution ids of the metric snapshots of ``days``, listed once, on first use."""

    def __init__(self, s3: Any, bucket: str, days: Sequence[str]) -> None:
        self._s3 = s3
        self._bucket = bucket
        self.days = tuple(days)
        self._ids: set[str] | None = None

    def has(self, execution_id: str) -> bool:
        if self._ids is None:
            self._ids = {execution_id for day in self.days for execution_id in self._ids_of(day)}
        return execution_id in self._ids

    @property
    def listed(self) -> bool:
        return self._ids is not None

    def _ids_of(self, day: str) -> list[str]:
        prefix = partition_prefix(METRIC_SNAPSHOTS.prefix, day)
        kwargs: dict[str, Any] = {"Bucket": self._bucket, "Prefix": prefix}
        ids = []
        while True:
            page = self._s3.list_objects_v2(**kwargs)
            ids += [key[len(prefix) : -len(RAW_SUFFIX)] for key in (o["Key"] for o in page.get("Contents", [])) if key.endswith(RAW_SUFFIX)]
            if not page.get("IsTruncated"):
                return ids
            kwargs["ContinuationToken"] = page["NextContinuationToken"]
