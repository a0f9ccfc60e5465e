"""Every benchmark, in the order they run and appear in docs/benchmarks.md. Add a new one here."""

from __future__ import annotations

from bench import cold_import, demo_run, drift_defaults, handler_latency, make_targets, mlflow_side_by_side, queries_layout, reconciler_calls, snapshot_calls
from bench.model import Benchmark

BENCHMARKS: list[Benchmark] = [
    snapshot_calls.BENCHMARK,
    reconciler_calls.BENCHMARK,
    handler_latency.BENCHMARK,
    cold_import.BENCHMARK,
    queries_layout.BENCHMARK,
    mlflow_side_by_side.BENCHMARK,
    drift_defaults.BENCHMARK,
    demo_run.BENCHMARK,
    make_targets.BENCHMARK,
]
