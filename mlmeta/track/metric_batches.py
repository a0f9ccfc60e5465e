"""The metric values a run has logged and not sent yet: both backends send them in batches of their
API's size, a batch as soon as one is full, the rest when the run is flushed or ends."""

from __future__ import annotations

from collections.abc import Iterator

from mlmeta.track.values import MetricPoint


class MetricBatches:
    def __init__(self, size: int) -> None:
        self.size = size
        self._pending: list[MetricPoint] = []

    def add(self, points: list[MetricPoint]) -> bool:
        """Hold ``points``; True when a whole batch waits (time to flush)."""
        self._pending.extend(points)
        return len(self._pending) >= self.size

    def drain(self) -> Iterator[list[MetricPoint]]:
        """The held values, a batch at a time, oldest first. A batch leaves the buffer before it is sent,
        so one the backend refused is not sent again."""
        while self._pending:
            batch, self._pending = self._pending[: self.size], self._pending[self.size :]
            yield batch
