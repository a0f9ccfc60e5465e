"""Benchmark: wall time of ``make synth`` and ``make test`` (only with --with-make: minutes each)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bench.model import Benchmark, Row, RunOptions
from bench.runtime_support import REPOSITORY

VENV_BIN = REPOSITORY / ".venv" / "bin"
# The floor of any synth: start jsii, load the CDK library, synthesize one empty stack (`import aws_cdk`
# alone is lazy and starts nothing).
EMPTY_SYNTH = "import aws_cdk as cdk; app = cdk.App(); cdk.Stack(app, 'empty'); app.synth()"


@dataclass(frozen=True)
class TimedCommand:
    label: str
    command: Sequence[str]
    baseline_label: str
    baseline: Sequence[str]


TARGETS = (
    TimedCommand("make synth", ["make", "synth"], "one empty stack synthesized", [str(VENV_BIN / "python"), "-c", EMPTY_SYNTH]),
    TimedCommand("make test", ["make", "test"], "pytest --collect-only -q", [str(VENV_BIN / "pytest"), "--collect-only", "-q"]),
)
SMOKE_TARGETS = (TimedCommand("make help", ["make", "help"], "true", ["true"]),)


def seconds(command: Sequence[str]) -> tuple[float, int]:
    """Wall-clock seconds and exit status; the output is kept only to show it when the command fails."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        print(f"{' '.join(command)} exited {done.returncode}; its last lines:", *(done.stdout + done.stderr).splitlines()[-15:],
              sep="\n  ", file=sys.stderr)
    return took, done.returncode


def run(options: RunOptions) -> Iterator[Row]:
    # The smoke run checks the plumbing with a target that takes no time.
    for target in options.size(TARGETS, SMOKE_TARGETS):
        options.progress(f"{target.label} (and the baseline {target.baseline_label})")
        took, status = seconds(target.command)
        baseline, baseline_status = seconds(target.baseline)
        failed = [f"{label} exited {code}" for label, code in ((target.label, status), (target.baseline_label, baseline_status)) if code]
        yield Row(target.label, "wall time", "s", took, baseline, "; ".join(failed) or f"baseline: {target.baseline_label}")


BENCHMARK = Benchmark(
    name="make-targets",
    title="make synth and make test",
    measures=(
        "Wall time of `make synth` (every environment: cdk synth with cdk-nag, then cfn-lint) and `make test` (the "
        "whole suite, `pytest -n 2`), each run once as a subprocess from the repository root, installs already done."
    ),
    baseline=(
        "For synth, a Python CDK app with one empty stack, synthesized (`bench/make_targets.py`): starting jsii and "
        "loading the CDK library, the floor of any synth (`import aws_cdk` alone is lazy and starts nothing). `make synth` "
        "synthesizes each environment (dev, stg, prod) in its own `cdk synth` process, then runs cfn-lint. For test, "
        "`pytest --collect-only -q` (importing and collecting every test module, nothing run)."
    ),
    ratio_means="target ÷ its floor: how much of the time is the work itself rather than start-up and imports.",
    run=run,
    needs_make=True,
)
