"""Benchmark: each Lambda's cold import (what Lambda's init phase runs before the first event) against
a cold ``import boto3``, each in a fresh interpreter, the fastest of several runs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

from bench.model import Benchmark, Row, RunOptions
from bench.runtime_support import LAMBDAS, runtime_world

# Times the import alone, not the interpreter's start-up.
_TIMED_IMPORT = "import time; started = time.perf_counter(); import {module}; print((time.perf_counter() - started) * 1000)"
BASELINE_MODULE = "boto3"


def import_ms(module: str) -> float:
    """Milliseconds to import ``module`` in a fresh interpreter with the handlers' environment and lambdas/ as the asset root."""
    environment = {**os.environ, **runtime_world.HANDLER_ENV, "PYTHONPATH": str(LAMBDAS)}
    done = subprocess.run([sys.executable, "-c", _TIMED_IMPORT.format(module=module)], env=environment,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"importing {module} failed: {done.stderr.strip().splitlines()[-1:]}")
    return float(done.stdout.strip())


def fastest_import_ms(module: str, runs: int) -> float:
    return min(import_ms(module) for _ in range(runs))


def run(options: RunOptions) -> Iterator[Row]:
    runs = options.size(7, 1)
    options.progress(f"import {BASELINE_MODULE}: {runs} fresh interpreters")
    baseline = fastest_import_ms(BASELINE_MODULE, runs)
    for package in runtime_world.HANDLER_PACKAGES:
        module = f"{package}.handler"
        options.progress(f"import {module}: {runs} fresh interpreters")
        yield Row(module, "cold import", "ms", fastest_import_ms(module, runs), baseline, f"fastest of {runs}")


BENCHMARK = Benchmark(
    name="cold-import",
    title="Lambda cold import",
    measures=(
        "`import <handler>.handler` in a fresh interpreter (`sys.executable -c`), with `lambdas/` as the asset root "
        "on PYTHONPATH and the handlers' environment variables (tests/runtime's `HANDLER_ENV`): Powertools, pydantic "
        "event models, settings, naming convention and the module-level boto3 clients, i.e. Lambda's init phase "
        "minus the interpreter start. Fastest of several runs; compiled bytecode present, as in the Lambda runtime's "
        "own packages."
    ),
    baseline="`import boto3`, timed the same way in the same run.",
    ratio_means="handler import ÷ boto3 import: how many bare boto3 imports a handler's cold start costs.",
    run=run,
)
