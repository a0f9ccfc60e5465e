"""``mlmeta replay EVENT_FILE...``: recorded EventBridge events through the events stack's rules to the
real handler code, against an embedded moto server (default) or an emulator at ``--endpoint``
(docs/events.md, "Replaying events").

stdout: one JSON line per event (``event``, ``id``, ``outcome``, ``routes``, ``handlers``, ``results``,
``reason``). stderr: the handlers' own log lines, a line per file that holds no event and per event
whose entities the embedded AWS lacks, and a last summary line (``mlmeta replay: N events in S s: H
handled, Q quarantined, F failed, U unrouted, R rejected``). Exit code: 0 when every event was handled,
unrouted or quarantined by a handler; 1 when a handler failed on some event (the others still ran), some
input was not an event (replay quarantined or rejected it), or there was no event at all; 2 on a usage
error (a missing file, an unknown environment, an unusable endpoint, a --lake DIR that cannot be
written: checked before any event runs).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from contextlib import nullcontext
from pathlib import Path

from mlmeta.cli.errors import CliError
from mlmeta.cli.extras import require_local_harness
from mlmeta.config import DEFAULT_ENVIRONMENT, UnknownEnvironmentError, get_environment

EXIT_NEEDS_A_LOOK = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    replay = subparsers.add_parser(
        "replay",
        help="run recorded events through the event rules and the real handlers, on an embedded AWS",
        description="Route each event (a JSON event, a JSON array of events, or JSON Lines) through the events "
        "stack's rules to the handler Lambdas' code, run in-process against an embedded moto server or --endpoint. "
        "Prints one JSON line per event, then a summary line on stderr.",
    )
    replay.add_argument("files", nargs="+", type=Path, metavar="EVENT_FILE", help="file of events to replay")
    replay.add_argument(
        "--endpoint", metavar="URL", help="an AWS emulator to use (e.g. http://127.0.0.1:5000); default: an embedded moto server"
    )
    replay.add_argument("--lake", type=Path, metavar="DIR", help="at the end, copy the lake bucket's objects to DIR (same keys)")
    replay.add_argument("--env", default=DEFAULT_ENVIRONMENT, help=f"environment whose rules and handler settings to use (default {DEFAULT_ENVIRONMENT})")
    replay.set_defaults(func=replay_command)


def replay_command(args: argparse.Namespace) -> int:
    require_local_harness(embedded_aws=not args.endpoint)
    # Imported here: boto3, Powertools and the engine would slow every other mlmeta command's start.
    from mlmeta.local.event_files import EventFileError, check_readable, read_events
    from mlmeta.local.handler_loader import HandlerCodeError
    from mlmeta.local.emulator import LocalAwsError, check_endpoint, embedded_moto
    from mlmeta.local.replay import EMBEDDED_AWS, FAILED, OUTCOMES, Replayer

    started = time.monotonic()
    try:
        settings = get_environment(args.env)
        check_readable(args.files)
        if args.lake is not None:
            _check_writable(args.lake)
        endpoint = nullcontext(check_endpoint(args.endpoint)) if args.endpoint else embedded_moto()
        with endpoint as url:
            replayer = Replayer(settings, url, aws_name=f"the emulator at {url}" if args.endpoint else EMBEDDED_AWS)
            counts: Counter[str] = Counter()
            not_events = 0
            for path in args.files:
                before = sum(counts.values())
                for item in read_events([path]):
                    outcome = replayer.replay(item)
                    counts[outcome.outcome] += 1
                    not_events += outcome.not_an_event
                    print(json.dumps(outcome.to_dict(), sort_keys=False), flush=True)
                    if outcome.missing_note:
                        print(f"mlmeta replay: {outcome.origin}: {outcome.missing_note}", file=sys.stderr)
                if sum(counts.values()) == before:
                    print(f"mlmeta replay: {path} holds no events (an empty file or an empty JSON array)", file=sys.stderr)
            if args.lake is not None:
                copied = _export(replayer, args.lake)
                print(f"mlmeta replay: copied {copied} lake object(s) to {args.lake}", file=sys.stderr)
    except (UnknownEnvironmentError, EventFileError, LocalAwsError, HandlerCodeError) as err:
        raise CliError(str(err)) from None
    total = sum(counts.values())
    tally = ", ".join(f"{counts[outcome]} {outcome}" for outcome in OUTCOMES)
    print(f"mlmeta replay: {total} event{'' if total == 1 else 's'} in {time.monotonic() - started:.1f} s: {tally}", file=sys.stderr)
    return EXIT_NEEDS_A_LOOK if counts[FAILED] or not_events or not total else 0


def _check_writable(directory: Path) -> None:
    """Before any event runs: the lake copy must be possible, or the replay's result would be lost."""
    if directory.exists() and not directory.is_dir():
        raise CliError(f"--lake {directory} is a file, not a directory; give a directory to copy the lake into")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as err:
        raise CliError(f"cannot write the lake copy to {directory}: {err.strerror or err}; give a directory you can write") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise CliError(f"cannot write the lake copy to {directory}: permission denied; give a directory you can write")


def _export(replayer, directory: Path) -> int:
    try:
        return replayer.export_lake(directory)
    except OSError as err:  # e.g. the disk filled up during the replay: one line, after the results
        where = f" {err.filename}" if err.filename else ""
        raise CliError(f"cannot write the lake copy{where}: {err.strerror or err}") from None
