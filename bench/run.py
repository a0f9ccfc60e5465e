"""The one entry point: ``python -m bench`` (see bench/__init__.py)."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.model import Result, RunOptions
from bench.registry import BENCHMARKS
from bench.report import kept_sections, render_markdown, render_table


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Benchmarks of mlmeta against its baselines (docs/benchmarks.md).")
    parser.add_argument("--with-make", action="store_true", help="also time `make synth` and `make test` (minutes)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help=f"run only this benchmark (repeatable): {', '.join(b.name for b in BENCHMARKS)}")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks that the code runs; the numbers mean nothing")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated workloads (default 7)")
    parser.add_argument("--mlflow-sizes", type=_sizes, default=(), metavar="N,N,...",
                        help="executions of the mlflow-side-by-side benchmark (default 1000,10000,100000)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the results as markdown to FILE (make bench: docs/benchmarks.md)")
    parser.add_argument("--update", action="store_true",
                        help="with --only and --output: rewrite only the sections of the benchmarks run, keep the others of FILE")
    return parser.parse_args(argv)


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 10:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of executions >= 10, e.g. 1000,10000")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_arguments(argv)
    unknown = sorted(set(args.only) - {b.name for b in BENCHMARKS})
    if unknown:
        print(f"python -m bench: unknown benchmark {', '.join(unknown)} (known: {', '.join(b.name for b in BENCHMARKS)})", file=sys.stderr)
        return 2
    if args.update and not (args.output and args.output.is_file() and args.only):
        print("python -m bench: --update rewrites some sections of an earlier page: give --only NAME and --output FILE of an existing page",
              file=sys.stderr)
        return 2
    selected = [b for b in BENCHMARKS if not args.only or b.name in args.only]
    kept = kept_sections(args.output.read_text(encoding="utf-8"), [b.title for b in BENCHMARKS if b not in selected]) if args.update else {}
    options = RunOptions(seed=args.seed, smoke=args.smoke, with_make=args.with_make, mlflow_sizes=args.mlflow_sizes, progress=_progress)
    results = []
    for number, benchmark in enumerate(selected, 1):
        step = f"[{number}/{len(selected)}] {benchmark.name}"
        if benchmark.needs_make and not args.with_make:
            _progress(f"{step}: skipped (needs --with-make)", indent="")
            results.append(Result(benchmark, (), 0.0, skipped="it takes minutes; run with --with-make (`make bench BENCH_ARGS=--with-make`)"))
            continue
        _progress(f"{step}: {benchmark.title}", indent="")
        started = time.perf_counter()
        rows = tuple(benchmark.run(options))
        results.append(Result(benchmark, rows, time.perf_counter() - started))
        _progress(f"{step}: done in {results[-1].seconds:.1f} s", indent="")
    print(render_table(results))
    if args.output:
        command = shlex.join(["python", "-m", "bench", *argv])
        # In the registry's order, the kept sections where they stood.
        ran = {result.benchmark.name: result for result in results}
        page = [ran.get(b.name) or Result(b, (), 0.0, skipped="kept") for b in BENCHMARKS if b.name in ran or b.title in kept]
        args.output.write_text(render_markdown(page, command=command, when=datetime.now(UTC), kept=kept), encoding="utf-8")
        _progress(f"wrote {args.output}", indent="")
    return 0


def _progress(message: str, indent: str = "    ") -> None:
    # Progress goes to stderr, so stdout holds only the table.
    print(f"{indent}{message}", file=sys.stderr, flush=True)
