"""``mlmeta demo``: the main job on embedded defaults, with no AWS account (docs/demo.md).

stdout: the report (the named queries' answers, then what happened). stderr: progress. Exit code 0;
1 when a handler failed on some event (the report names it); 2 with one line on stderr when the demo
cannot run (an unwritable --out, an --out holding what the demo did not write, an earlier demo's output
without --force, moto missing, not a checkout; on the MLflow backend an --mlflow-uri that does not
answer as MLflow, or the local MLflow server not starting).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlmeta.cli.errors import CliError
from mlmeta.cli.extras import require_local_harness
from mlmeta.local.demo.settings import DEFAULT_EXECUTIONS, DEFAULT_SEED, MAX_EXECUTIONS, MIN_EXECUTIONS
from mlmeta_contract.mlflow.backend import BACKENDS, MLFLOW, SAGEMAKER

EXIT_SOME_FAILED = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="run the local end-to-end demo (no AWS account needed)",
        description="Start an embedded AWS (moto), deploy the dev environment's lake and experiments into it, simulate "
        "months of pipeline executions and replay the events AWS would send through the event rules and the real "
        "handlers, then query the lake with the named queries on DuckDB and chart it.",
    )
    demo.add_argument("--out", type=Path, default=Path("out/demo"), metavar="DIR",
                      help="where the lake, the events, the logs and the chart are written (default out/demo): a new or "
                      "empty directory, or an earlier demo's output with --force")
    demo.add_argument("--force", action="store_true",
                      help="replace an earlier demo's output in DIR (only the files that demo wrote; anything else there stops the demo)")
    demo.add_argument("--executions", type=_whole_number(MIN_EXECUTIONS, MAX_EXECUTIONS), default=DEFAULT_EXECUTIONS, metavar="N",
                      help=f"how many daily pipeline executions to simulate (default {DEFAULT_EXECUTIONS}, {MIN_EXECUTIONS} to {MAX_EXECUTIONS})")
    demo.add_argument("--seed", type=_whole_number(0), default=DEFAULT_SEED, metavar="S",
                      help=f"seed of the simulation: the same seed writes the same lake (default {DEFAULT_SEED})")
    demo.add_argument("--backend", choices=BACKENDS, default=SAGEMAKER,
                      help="where the evaluate step records trial 1.2 and the snapshotter reads it: SageMaker Experiments in the "
                      "embedded AWS (default), or MLflow (a local MLflow server the demo starts, or --mlflow-uri)")
    demo.add_argument("--mlflow-uri", metavar="URL",
                      help="with --backend mlflow: a running MLflow server (http(s)://host:port) to record to, instead of "
                      "starting a local one")
    demo.set_defaults(func=run_demo_command)


def _whole_number(minimum: int, maximum: int | None = None):
    def parse(text: str) -> int:
        if not text.isdigit() or int(text) < minimum or (maximum is not None and int(text) > maximum):
            bounds = f"of at least {minimum}" if maximum is None else f"from {minimum} to {maximum}"
            raise argparse.ArgumentTypeError(f"must be a whole number {bounds}, got {text!r}")
        return int(text)

    return parse


def run_demo_command(args: argparse.Namespace) -> int:
    if args.mlflow_uri is not None and args.backend != MLFLOW:
        raise CliError("--mlflow-uri is the MLflow server of --backend mlflow; add --backend mlflow or drop --mlflow-uri")
    require_local_harness()
    from mlmeta.local.demo.output import DemoOutputError, check_output

    try:
        check_output(args.out, force=args.force)  # cheap, deletes nothing: a refusal is the only line
    except DemoOutputError as err:
        raise CliError(str(err)) from None
    except OSError as err:
        raise _unwritable(err, args.out) from None
    if args.mlflow_uri is not None:
        _check_mlflow(args.mlflow_uri)  # one call, before the first line: an unreachable server is the only line
    # A first line at once: the imports below and the embedded AWS take seconds on a busy machine.
    backend = "" if args.backend == SAGEMAKER else f", trial 1.2 in MLflow at {args.mlflow_uri or 'a local server'}"
    print(f"mlmeta demo: {args.executions} daily executions (seed {args.seed}{backend}) into {args.out}", file=sys.stderr, flush=True)
    # boto3, moto, DuckDB, pandas and matplotlib load only for this command.
    from mlmeta.local.checkout import CheckoutError
    from mlmeta.local.demo.progress import Progress
    from mlmeta.local.demo.report import render
    from mlmeta.local.demo.run import phase_count, run_demo
    from mlmeta.local.demo.settings import DemoSettings
    from mlmeta.local.handler_loader import HandlerCodeError
    from mlmeta.local.emulator import LocalAwsError
    from mlmeta.local.mlflow_server import MlflowServerError
    from mlmeta_contract.mlflow.client import MlflowError

    settings = DemoSettings(executions=args.executions, seed=args.seed, tracking_backend=args.backend)
    try:
        report = run_demo(args.out, settings, Progress(sys.stderr, phases=phase_count(settings)), force=args.force,
                          mlflow_uri=args.mlflow_uri)
    except DemoOutputError as err:
        raise CliError(str(err)) from None
    except OSError as err:
        raise _unwritable(err, args.out) from None
    except (LocalAwsError, HandlerCodeError, CheckoutError, MlflowServerError, MlflowError) as err:
        raise CliError(str(err)) from None
    print(render(report))
    return EXIT_SOME_FAILED if report.failures else 0


def _check_mlflow(uri: str) -> None:
    from mlmeta.local.demo.mlflow_backend import check_mlflow
    from mlmeta.local.demo.settings import DemoSettings
    from mlmeta_contract.mlflow.client import MlflowError

    try:
        check_mlflow(uri, DemoSettings())
    except (ValueError, MlflowError) as err:
        raise CliError(f"--mlflow-uri: {err}") from None


def _unwritable(err: OSError, out: Path) -> CliError:
    return CliError(f"cannot write the demo output {err.filename or out}: {err.strerror or err}")
