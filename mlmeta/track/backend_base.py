"""What both backends (SageMaker, MLflow) do alike: the run's names once it has started, and its metric
values sent in batches of the API's size, a batch as soon as one is full, the rest on ``flush`` (and when
the run ends)."""

from __future__ import annotations

from typing import ClassVar

from mlmeta.track.errors import TrackingError
from mlmeta.track.names import EdaNames
from mlmeta.track.values import MetricPoint


class BatchingBackend:
    metrics_per_batch: ClassVar[int]

    def __init__(self) -> None:
        self.names: EdaNames | None = None
        self._pending_metrics: list[MetricPoint] = []

    def log_metrics(self, points: list[MetricPoint]) -> None:
        self._pending_metrics.extend(points)
        if len(self._pending_metrics) >= self.metrics_per_batch:
            self.flush()

    def flush(self) -> None:
        names = self._started()
        size = self.metrics_per_batch
        while self._pending_metrics:
            # Out of the buffer before it is sent: a batch the backend refused is not sent again.
            batch, self._pending_metrics = self._pending_metrics[:size], self._pending_metrics[size:]
            self._send_metrics(names, batch)

    def _send_metrics(self, names: EdaNames, batch: list[MetricPoint]) -> None:
        raise NotImplementedError

    def _started(self) -> EdaNames:
        if self.names is None:
            raise TrackingError("the run has not started: use it inside `with mlmeta.track(...) as run:`")
        return self.names
