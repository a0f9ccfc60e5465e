"""``mlmeta plot METRIC --use-case U``: a PNG chart of one metric of one pipeline over its executions,
with its 7-run moving average, an optional threshold line and the runs metric_drift flags."""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import re
from datetime import date
from pathlib import Path

from mlmeta.cli.engine_options import reject_athena_only_options
from mlmeta.cli.errors import CliError
from mlmeta.config import DEFAULT_ENVIRONMENT
from mlmeta.queries.drift_defaults import DEFAULT_MIN_CHANGE, DEFAULT_WINDOW, DEFAULT_Z_THRESHOLD

_ATHENA_ONLY_OPTIONS = ("workgroup", "database", "region")
# Characters kept in the default file name; others (e.g. "/" or ":" in "validation:auc") become "_".
_UNSAFE_FILE_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]")
# The longest file name (bytes) Linux, macOS and Windows file systems take. A default name longer than
# this keeps the metric's start and a hash of the whole name, so two long metrics still differ.
MAX_FILE_NAME_BYTES = 255
_NAME_HASH_CHARACTERS = 12


def register(subparsers: argparse._SubParsersAction) -> None:
    plot = subparsers.add_parser(
        "plot",
        help="chart one metric of a pipeline over time, with drift points, as a PNG",
        description="Draw METRIC of the pipeline {use-case}-{env} per execution (analysis trials), its 7-run "
        "moving average and the runs metric_drift flags, from the metric_history and metric_drift named queries. "
        "Dates are UTC dt partitions (the day an execution ended). Default range: all of a --lake; "
        "the last 365 days up to today with --athena.",
    )
    plot.add_argument("metric", metavar="METRIC", help="metric name, e.g. auc")
    plot.add_argument("--use-case", required=True, help="the use case, e.g. churn-prediction")
    plot.add_argument("--env", default=DEFAULT_ENVIRONMENT, help=f"the pipeline's environment (default {DEFAULT_ENVIRONMENT}); with --athena also "
                      "whose workgroup, database and region to use")
    engine = plot.add_mutually_exclusive_group(required=True)
    engine.add_argument("--lake", type=Path, metavar="DIR", help="read a local directory laid out like the lake bucket (DuckDB)")
    engine.add_argument("--athena", action="store_true", help="query Amazon Athena (needs AWS credentials)")
    athena = plot.add_argument_group("Athena options (only with --athena)")
    athena.add_argument("--workgroup", help="Athena workgroup (default: the environment's)")
    athena.add_argument("--database", help="Glue database (default: the environment's)")
    athena.add_argument("--region", help="AWS region (default: the environment's)")
    plot.add_argument("--out", type=Path, metavar="FILE.png", help="where to write the chart (default <metric>-<pipeline>.png here)")
    plot.add_argument("--from", dest="since", type=_date, metavar="YYYY-MM-DD", help="first day (UTC), inclusive")
    plot.add_argument("--to", dest="until", type=_date, metavar="YYYY-MM-DD", help="last day (UTC), inclusive")
    plot.add_argument("--window", type=_positive_int, default=DEFAULT_WINDOW, metavar="N",
                      help=f"drift baseline: how many previous runs (default {DEFAULT_WINDOW})")
    plot.add_argument("--z-threshold", type=_positive_float, default=DEFAULT_Z_THRESHOLD, metavar="Z",
                      help=f"mark a run as drift when its robust |z| against the baseline reaches this (default {DEFAULT_Z_THRESHOLD:g})")
    plot.add_argument("--min-change", type=_fraction, default=DEFAULT_MIN_CHANGE, metavar="F",
                      help=f"... and it is at least this fraction off the baseline's median (default {DEFAULT_MIN_CHANGE:g}, "
                      f"i.e. {DEFAULT_MIN_CHANGE * 100:g}%%)")
    plot.add_argument("--min-value", type=_finite_float, metavar="V",
                      help="draw a threshold line at V and mark runs below it (default: no threshold)")
    plot.set_defaults(func=run_plot_command)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date YYYY-MM-DD, got {text!r}") from None


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return int(text)


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def _fraction(text: str) -> float:
    value = _finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a fraction of at least 0 (0.01 is 1%), got {text!r}")
    return value


def _positive_float(text: str) -> float:
    value = _finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def run_plot_command(args: argparse.Namespace) -> int:
    # pandas, DuckDB and matplotlib load only for this command.
    from mlmeta.analytics import AnalyticsError, QueryError, pipeline_name
    from mlmeta.charts.metric_chart import load_metric_chart
    from mlmeta.charts.render import write_png
    from mlmeta.queries.runner import AthenaTarget

    reject_athena_only_options(args, _ATHENA_ONLY_OPTIONS)
    if args.since and args.until and args.since > args.until:
        raise CliError(f"--from {args.since} is after --to {args.until}")
    try:
        out = args.out or default_out(args.metric, pipeline_name(args.use_case, args.env))
        check_writable(out)  # before the queries: a typo in --out should not cost an Athena scan
        athena = AthenaTarget(env=args.env, workgroup=args.workgroup, database=args.database, region=args.region) if args.athena else None
        chart = load_metric_chart(
            args.metric, args.use_case, args.env, lake=args.lake, athena=athena, since=args.since, until=args.until,
            window=args.window, z_threshold=args.z_threshold, min_value=args.min_value, min_change=args.min_change,
        )
    except (AnalyticsError, QueryError) as err:
        raise CliError(str(err)) from None
    if chart.runs.empty:
        where = f"the lake {args.lake}" if args.lake is not None else "Athena"
        raise CliError(f"{chart.summary()} in {where}; check the metric, --use-case, --env and the dates")
    try:
        write_png(chart, out)
    except OSError as err:
        raise CliError(f"cannot write {out}: {err.strerror or err}") from None
    print(out)
    print(chart.summary())
    return 0


def default_out(metric: str, pipeline: str) -> Path:
    """``<metric>-<pipeline>.png`` with only safe characters, at most MAX_FILE_NAME_BYTES long."""
    safe = _UNSAFE_FILE_CHARACTERS.sub("_", metric)
    suffix = f"-{pipeline}.png"
    if len(safe) + len(suffix) > MAX_FILE_NAME_BYTES:  # safe characters are ASCII: one byte each
        digest = hashlib.sha256(metric.encode("utf-8")).hexdigest()[:_NAME_HASH_CHARACTERS]
        keep = max(MAX_FILE_NAME_BYTES - len(suffix) - len(digest) - 1, 0)
        safe = f"{safe[:keep]}-{digest}"
    return Path(safe + suffix)


def check_writable(out: Path) -> None:
    if out.suffix.lower() != ".png":
        raise CliError(f"--out must name a .png file, got {str(out)!r}")
    too_long = len(os.fsencode(out.name))
    if too_long > MAX_FILE_NAME_BYTES:
        raise CliError(f"cannot write {out}: the file name is {too_long} bytes long, file systems take at most "
                       f"{MAX_FILE_NAME_BYTES}; give a shorter --out")
    directory = out.parent
    try:
        if out.is_dir():
            raise CliError(f"cannot write {out}: it is a directory")
        if not directory.is_dir():
            raise CliError(f"cannot write {out}: directory {directory} does not exist")
    except OSError as err:  # e.g. a directory name too long: is_dir() raises rather than answer False
        raise CliError(f"cannot write {out}: {err.strerror or err}") from None
    if not os.access(directory, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise CliError(f"cannot write {out}: permission denied")
