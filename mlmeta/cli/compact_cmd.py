"""``mlmeta compact --lake DIR [--day YYYY-MM-DD]...``: compact a local lake as the compactor Lambda
compacts the bucket (docs/compaction.md), so ``mlmeta query --lake DIR`` reads compacted days."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mlmeta.cli.errors import CliError
from mlmeta_contract.lake.layout import parse_day


def register(subparsers: argparse._SubParsersAction) -> None:
    compact = subparsers.add_parser(
        "compact", help="rewrite each day of a local lake into one Parquet object per table (docs/compaction.md)"
    )
    compact.add_argument("--lake", type=Path, required=True, help="a directory laid out like the lake bucket")
    compact.add_argument(
        "--day",
        dest="days",
        action="append",
        type=_day,
        default=[],
        metavar="YYYY-MM-DD",
        help="compact this day (repeatable); default: every day with raw objects",
    )
    compact.set_defaults(func=run_compact_command)


def _day(text: str) -> str:
    # argparse shows an ArgumentTypeError's own message (a ValueError becomes "invalid _day value").
    try:
        return parse_day(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def run_compact_command(args: argparse.Namespace) -> int:
    # pyarrow loads only for this command.
    from mlmeta.lake.compaction import CompactionError, compact, raw_days, stray_folders
    from mlmeta.lake.object_store import LocalDirectoryStore

    if not args.lake.is_dir():
        raise CliError(f"lake directory {args.lake} does not exist")
    store = LocalDirectoryStore(args.lake)
    try:
        for folder in stray_folders(store):
            print(f"mlmeta compact: warning: skipped {args.lake / folder}: its dt is not a day (YYYY-MM-DD), so no writer of "
                  "the lake made it and no query reads it; move it out of the lake", file=sys.stderr)
        report = compact(store, args.days or raw_days(store))
    except (CompactionError, OSError) as err:
        raise CliError(f"cannot compact {args.lake}: {err}") from None
    summary = report.summary()
    print(json.dumps(summary, sort_keys=True))
    if report.failures:
        raise CliError(f"{len(report.failures)} day(s) could not be compacted: {'; '.join(summary['failures'])}", exit_code=1)
    return 0
