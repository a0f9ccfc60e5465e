"""The run a notebook logs to inside ``with mlmeta.track(...) as run:``, whatever the backend.

Every value is checked (``mlmeta.track.values`` and the backend's own rules) before the backend sees
it, and a call with several values checks them all first: a bad one is refused with nothing of the
call written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from mlmeta.track.names import EdaNames
from mlmeta.track.values import MetricPoint, ParameterValue, metric_point, parameter_value


@dataclass(frozen=True)
class RunRecord:
    """One run as a backend lists it (``mlmeta.track.runs``)."""

    run_name: str
    status: str
    start: datetime | None
    end: datetime | None
    parameters: Mapping[str, object] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)  # the last value of each


class Backend(Protocol):
    backend: str

    def check_metric_name(self, name: str) -> None: ...
    def check_parameter(self, name: str, value: ParameterValue) -> None: ...
    def start(self, names: EdaNames, *, run_given: bool, started: datetime) -> EdaNames: ...
    def log_params(self, parameters: Mapping[str, ParameterValue]) -> None: ...
    def log_metrics(self, points: list[MetricPoint]) -> None: ...
    def flush(self) -> None: ...
    def finish(self, *, failed: str | None, ended: datetime) -> None: ...
    def list_runs(self, experiment: str) -> list[RunRecord]: ...


class Run:
    """One EDA run: its names by the convention and what it logs."""

    def __init__(self, names: EdaNames, backend: Backend) -> None:
        self.names = names
        self._backend = backend

    @property
    def backend(self) -> str:
        return self._backend.backend

    @property
    def experiment_name(self) -> str:
        return self.names.experiment

    @property
    def trial_name(self) -> str:
        return self.names.trial

    @property
    def run_name(self) -> str:
        """The trial component's name on SageMaker, the run's name on MLflow."""
        return self.names.component

    @property
    def run_id(self) -> str | None:
        """MLflow's run id (None on SageMaker, where the name is the id)."""
        return getattr(self._backend, "run_id", None)

    def log_param(self, name: str, value: ParameterValue) -> None:
        self.log_params({name: value})

    def log_params(self, parameters: Mapping[str, ParameterValue]) -> None:
        """Record parameters (a string or a number each); a name logged again is overwritten on SageMaker
        and refused by MLflow, which keeps parameters immutable."""
        checked = {name: parameter_value(name, value) for name, value in parameters.items()}
        for name, value in checked.items():
            self._backend.check_parameter(name, value)
        if checked:
            self._backend.log_params(checked)

    def log_metric(self, name: str, value: float, step: int | None = None, timestamp: datetime | None = None) -> None:
        self.log_metrics({name: value}, step=step, timestamp=timestamp)

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None, timestamp: datetime | None = None) -> None:
        """Record metric values at ``step`` (None: no step); sent in batches, the rest when the run ends."""
        points = [metric_point(name, value, step, timestamp) for name, value in metrics.items()]
        for point in points:
            self._backend.check_metric_name(point.name)
        if points:
            self._backend.log_metrics(points)

    def flush(self) -> None:
        """Send the metrics logged so far now (the run does it as batches fill and when it ends)."""
        self._backend.flush()

    def __repr__(self) -> str:
        return f"Run({self.backend}: {self.names.component} in {self.names.trial})"

    def _finish(self, failed: str | None, ended: datetime) -> None:
        self._backend.finish(failed=failed, ended=ended)


def describe_failure(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


