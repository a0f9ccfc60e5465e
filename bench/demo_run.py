"""Benchmark: ``mlmeta demo`` as a person runs it, phase by phase, against the same demo with every AWS
call over HTTP to the embedded moto server (how the demo ran before ``mlmeta/local/demo/in_process.py``).

Each run is a fresh ``python -m mlmeta demo`` subprocess into a new directory (imports included, as for
a person); the time of each progress line it writes to stderr gives the phases, ``os.wait4`` its CPU
time (all its threads).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from bench.model import Benchmark, Row, RunOptions
from bench.runtime_support import REPOSITORY

# The baseline: the same command with the in-process answering a no-op (a stand-in module, so that moto
# is still imported only where the demo imports it).
_OVER_HTTP = (
    "import contextlib, sys, types\n"
    "stand_in = types.ModuleType('mlmeta.local.demo.in_process')\n"
    "stand_in.in_process_calls = lambda endpoint: contextlib.nullcontext()\n"
    "sys.modules['mlmeta.local.demo.in_process'] = stand_in\n"
    "from mlmeta.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)
# The phase each progress line starts (mlmeta/local/demo/run.py), and what ends the last one: the process exit.
PHASES = (
    "first line on stderr",
    "import the demo's libraries",
    "start an embedded AWS",
    "deploy the lake and experiments into it",
    "simulate the executions, replay their events",
    "copy the lake out",
    "run the named queries on DuckDB",
    "draw the chart, print the report",
)


@dataclass(frozen=True)
class DemoTiming:
    """Seconds from the start to each stderr line, to the exit, and the CPU seconds it used."""

    lines: tuple[tuple[float, str], ...]
    wall: float
    cpu: float
    status: int

    def phases(self) -> list[float]:
        """Seconds of each of PHASES: to the first line, then between lines, the last one to the exit."""
        times = [at for at, _line in self.lines]
        return [times[0], *(later - earlier for earlier, later in pairwise([*times, self.wall]))]


def time_demo(command: Sequence[str], out: Path, executions: int) -> DemoTiming:
    started = time.perf_counter()
    child = subprocess.Popen([*command, "demo", "--out", str(out), "--executions", str(executions)], cwd=REPOSITORY,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    lines = tuple((time.perf_counter() - started, line.rstrip("\n")) for line in child.stderr)
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return DemoTiming(lines, time.perf_counter() - started, usage.ru_utime + usage.ru_stime, child.returncode)


def run(options: RunOptions) -> Iterator[Row]:
    executions = options.size(180, 30)
    load = os.getloadavg()[0]
    runs = {}
    with tempfile.TemporaryDirectory(prefix="mlmeta-bench-demo-") as scratch:
        for label, command in (("mlmeta", [sys.executable, "-m", "mlmeta"]), ("baseline", [sys.executable, "-c", _OVER_HTTP])):
            options.progress(f"mlmeta demo --executions {executions} ({'calls in process' if label == 'mlmeta' else 'calls over HTTP'})")
            runs[label] = time_demo(command, Path(scratch) / label, executions)
    mlmeta, baseline = runs["mlmeta"], runs["baseline"]
    problems = [f"{label} exited {timing.status}" for label, timing in runs.items() if timing.status]
    problems += [f"{label} printed {len(timing.lines)} lines, not {len(PHASES) - 1}" for label, timing in runs.items()
                 if len(timing.lines) != len(PHASES) - 1]
    note = "; ".join(problems) or f"load average {load:.1f} at the start (2 cores: above 2 the machine was shared)"
    case = f"{executions} executions"
    if not problems:
        for phase, value, base in zip(PHASES, mlmeta.phases(), baseline.phases(), strict=True):
            yield Row(f"{case}: {phase}", "wall time", "s", value, base, note)
    yield Row(f"{case}: the whole command", "wall time", "s", mlmeta.wall, baseline.wall, note)
    yield Row(f"{case}: the whole command", "CPU time", "s", mlmeta.cpu, baseline.cpu, "user + system, all threads")


BENCHMARK = Benchmark(
    name="demo",
    title="mlmeta demo, phase by phase",
    measures=(
        "`python -m mlmeta demo --out <new dir> --executions 180` (the default demo) as a fresh subprocess, imports "
        "included: the seconds to its first line on stderr, then of each phase (from one progress line to the next; the "
        "last to the exit), the whole command's wall time, and its CPU time (user + system of all its threads, "
        "`os.wait4`). The demo makes about 5,800 AWS calls to its embedded moto (2,154 events replayed to the handlers, "
        "the simulated SageMaker state, the lake's copy). Run once each: on a shared machine the load average decides "
        "the wall time more than anything, so it is in the note, and CPU time is the figure that compares."
    ),
    baseline=(
        "The same command with every AWS call sent over HTTP to the embedded moto server (a socket, a server thread "
        "per request, HTTP parsed on both sides), as the demo ran before `mlmeta/local/demo/in_process.py` answered them in "
        "process through moto's own server application."
    ),
    ratio_means="in process ÷ over HTTP: below 1, the demo is faster.",
    run=run,
)
