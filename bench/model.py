"""What a benchmark is and what it reports: rows of (mlmeta's figure, the baseline's figure, ratio)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Row:
    """One figure and its baseline, measured in the same run."""

    case: str
    measure: str
    unit: str  # calls | files | ms | s | MB
    value: float | None
    baseline: float | None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """value ÷ baseline: below 1 means mlmeta needs less than the baseline."""
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline


def _no_progress(message: str) -> None:
    del message


@dataclass(frozen=True)
class RunOptions:
    seed: int = 7
    # Tiny sizes: the smoke test checks that the code runs and the table has its shape.
    smoke: bool = False
    with_make: bool = False
    # Executions of the MLflow side-by-side benchmark (--mlflow-sizes); empty: its defaults.
    mlflow_sizes: tuple[int, ...] = ()
    progress: Callable[[str], None] = field(default=_no_progress, compare=False)

    def size(self, full, smoke):
        """The full-run size, or the smoke-run size."""
        return smoke if self.smoke else full


@dataclass(frozen=True)
class Benchmark:
    name: str  # the id for --only
    title: str
    measures: str  # what is measured, and how (markdown)
    baseline: str  # what the baseline is (markdown)
    ratio_means: str  # how to read the ratio (markdown)
    run: Callable[[RunOptions], Iterable[Row]]
    # Runs only with --with-make (takes minutes).
    needs_make: bool = False


@dataclass(frozen=True)
class Result:
    benchmark: Benchmark
    rows: tuple[Row, ...]
    seconds: float
    skipped: str | None = None  # why it did not run
