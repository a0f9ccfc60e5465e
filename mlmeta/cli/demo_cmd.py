"""``mlmeta demo``: the main job on embedded defaults, with no AWS account."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlmeta.cli.errors import CliError
from mlmeta.queries.result import QueryResult

HISTORY_ROWS_SHOWN = 12


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser("demo", help="run the local end-to-end demo (no AWS account needed)")
    demo.add_argument("--out", type=Path, default=Path("out/demo"), help="where the demo lake is written (default out/demo)")
    demo.add_argument("--executions", type=_at_least_two, default=120, help="how many pipeline executions to simulate (default 120)")
    demo.set_defaults(func=run_demo_command)


def _at_least_two(text: str) -> int:
    if not text.isdigit() or int(text) < 2:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 2, got {text!r}")
    return int(text)


def run_demo_command(args: argparse.Namespace) -> int:
    from mlmeta.demo import DemoSettings, run_demo  # DuckDB and pandas load only for this command

    executions = args.executions
    settings = DemoSettings(executions=executions, drift_start_run=max(1, executions * 5 // 6))
    try:
        report = run_demo(args.out, settings)
    except OSError as err:
        raise CliError(f"cannot write the demo lake under {args.out}: {err.strerror or err}") from None
    history = report.results["metric_history"]
    drift = report.results["metric_drift"]
    flagged = QueryResult(drift.columns, tuple(r for r in drift.rows if r[drift.columns.index("flag")] != "OK"))
    sections = [
        (f"metric_history: auc, last {HISTORY_ROWS_SHOWN} of {len(history.rows)} runs", QueryResult(history.columns, history.rows[-HISTORY_ROWS_SHOWN:])),
        ("metric_drift: runs not flagged OK", flagged),
        ("latest_metrics", report.results["latest_metrics"]),
        ("naming_violations", report.results["naming_violations"]),
    ]
    for title, result in sections:
        print(f"\n== {title}\n{result.render('table')}")
    print(f"\nlake: {report.lake} ({report.objects_written} objects). Query it yourself, e.g.\n"
          f"  mlmeta query metric_history --param churn-prediction-dev --param auc "
          f"--param 2026-01-01 --param 2026-12-31 --lake {report.lake}")
    return 0
