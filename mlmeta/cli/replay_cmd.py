"""``mlmeta replay EVENT_FILE...``: recorded EventBridge events through the events stack's rules to the
real handler code, against an embedded moto server (default) or an emulator at ``--endpoint``
(docs/events.md, "Replaying events").

stdout: one JSON line per event (``event``, ``id``, ``outcome``, ``routes``, ``handlers``, ``results``,
``reason``). stderr: the handlers' own log lines. Exit code: 0 when every event was handled, quarantined
or unrouted; 1 when a handler failed on some event (the others still ran); 2 on a usage error (a
missing file, an unknown environment, an unusable endpoint, a --lake DIR that cannot be written).
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import nullcontext
from pathlib import Path

from mlmeta.cli.errors import CliError
from mlmeta.config import UnknownEnvironmentError, get_environment

DEFAULT_ENV = "dev"
EXIT_SOME_FAILED = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    replay = subparsers.add_parser(
        "replay",
        help="run recorded events through the event rules and the real handlers, on an embedded AWS",
        description="Route each event (a JSON event, a JSON array of events, or JSON Lines) through the events "
        "stack's rules to the handler Lambdas' code, run in-process against an embedded moto server or --endpoint. "
        "Prints one JSON line per event.",
    )
    replay.add_argument("files", nargs="+", type=Path, metavar="EVENT_FILE", help="file of events to replay")
    replay.add_argument(
        "--endpoint", metavar="URL", help="an AWS emulator to use (e.g. http://127.0.0.1:5000); default: an embedded moto server"
    )
    replay.add_argument("--lake", type=Path, metavar="DIR", help="at the end, copy the lake bucket's objects to DIR (same keys)")
    replay.add_argument("--env", default=DEFAULT_ENV, help=f"environment whose rules and handler settings to use (default {DEFAULT_ENV})")
    replay.set_defaults(func=replay_command)


def replay_command(args: argparse.Namespace) -> int:
    # Imported here: boto3, Powertools and the engine would slow every other mlmeta command's start.
    from mlmeta.events.event_files import EventFileError, check_readable, read_events
    from mlmeta.events.handler_loader import HandlerCodeError
    from mlmeta.events.local_aws import LocalAwsError, check_endpoint, embedded_moto
    from mlmeta.events.replay import FAILED, Replayer

    try:
        settings = get_environment(args.env)
        check_readable(args.files)
        endpoint = nullcontext(check_endpoint(args.endpoint)) if args.endpoint else embedded_moto()
        with endpoint as url:
            replayer = Replayer(settings, url)
            failed = 0
            for item in read_events(args.files):
                outcome = replayer.replay(item)
                failed += outcome.outcome == FAILED
                print(json.dumps(outcome.to_dict(), sort_keys=False), flush=True)
            if args.lake is not None:
                copied = _export(replayer, args.lake)
                print(f"mlmeta replay: copied {copied} lake object(s) to {args.lake}", file=sys.stderr)
    except (UnknownEnvironmentError, EventFileError, LocalAwsError, HandlerCodeError) as err:
        raise CliError(str(err)) from None
    return EXIT_SOME_FAILED if failed else 0


def _export(replayer, directory: Path) -> int:
    try:
        return replayer.export_lake(directory)
    except OSError as err:  # --lake DIR not writable: one line, after the results are printed
        where = f" {err.filename}" if err.filename else ""
        raise CliError(f"cannot write the lake copy{where}: {err.strerror or err}") from None
