"""What the demo simulates and how it judges drift: one settings value, validated once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from mlmeta.config import EnvironmentSettings, UseCase, get_environment
from mlmeta.queries.drift_defaults import DEFAULT_MIN_CHANGE, DEFAULT_WINDOW, DEFAULT_Z_THRESHOLD
from mlmeta_contract.mlflow.backend import BACKENDS, SAGEMAKER

ENVIRONMENT = "dev"
METRIC = "auc"
# The first execution starts here; one a day after it (fixed, so a seed always gives the same lake).
START = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
DEFAULT_EXECUTIONS = 180
# Fewer executions leave no full drift window before the drift (window 30, drift from 5/6 of the runs:
# 38 * 5 // 6 = 31 > 30).
MIN_EXECUTIONS = 38
# About three years of daily runs: a few minutes and under 1 GB on 2 cores (docs/demo.md). More would hold
# the embedded AWS's whole state in memory for long minutes and show nothing the 180 runs do not.
MAX_EXECUTIONS = 1000
DEFAULT_SEED = 7


class DemoSettingsError(ValueError):
    """A demo setting out of range; the message names it."""


@dataclass(frozen=True)
class DemoSettings:
    executions: int = DEFAULT_EXECUTIONS
    seed: int = DEFAULT_SEED
    # The evaluate step's auc moves by auc_shift from this run on (0-based; default: 5/6 of the runs).
    drift_start_run: int | None = None
    auc_shift: float = -0.10
    # metric_drift's parameters: its defaults (mlmeta.queries.drift_defaults, chosen by the drift-defaults
    # benchmark). The simulated auc varies by about 0.006 between runs, cut at two standard deviations
    # (as retrains on fresh data of the same size do); the drop of 0.10 scores a robust z of about -14.
    # Every drifted run is DRIFT until half the window has drifted and the baseline's median moves.
    window_size: int = DEFAULT_WINDOW
    z_threshold: float = DEFAULT_Z_THRESHOLD
    min_change: float = DEFAULT_MIN_CHANGE
    # Where the evaluate step records trial 1.2 and the snapshotter reads it (docs/demo.md, "On the MLflow
    # backend"): SageMaker Experiments in the embedded AWS, or an MLflow server.
    tracking_backend: str = SAGEMAKER

    def __post_init__(self) -> None:
        if self.tracking_backend not in BACKENDS:
            raise DemoSettingsError(f"tracking_backend must be {' or '.join(BACKENDS)}, got {self.tracking_backend!r}")
        if not MIN_EXECUTIONS <= self.executions <= MAX_EXECUTIONS:
            raise DemoSettingsError(f"executions must be from {MIN_EXECUTIONS} to {MAX_EXECUTIONS}, got {self.executions}")
        if not self.window_size < self.drift_start < self.executions:
            raise DemoSettingsError(
                f"drift_start_run must leave a full window of {self.window_size} runs before it and be below "
                f"executions ({self.executions}), got {self.drift_start}"
            )

    @property
    def drift_start(self) -> int:
        return self.executions * 5 // 6 if self.drift_start_run is None else self.drift_start_run

    @property
    def environment(self) -> EnvironmentSettings:
        return get_environment(ENVIRONMENT)

    @property
    def use_case(self) -> UseCase:
        """The environment's first use case: the example of the embedded config."""
        return self.environment.use_cases[0]

    @property
    def min_value(self) -> float | None:
        """The auc alarm threshold of the use case (the config's monitored metric), if it has one."""
        return next((m.threshold for m in self.use_case.monitored_metrics if m.metric_name == METRIC), None)
