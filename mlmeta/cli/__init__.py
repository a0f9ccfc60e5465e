"""The ``mlmeta`` command line. Each sub-command lives in its own module and registers itself here."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from mlmeta.cli import compact_cmd, demo_cmd, names_cmd, plot_cmd, query_cmd, rehearse_cmd, replay_cmd
from mlmeta.cli.errors import CliError

# Each module exposes ``register(subparsers)``; its parser sets ``func(args) -> int``.
COMMANDS = (query_cmd, names_cmd, demo_cmd, plot_cmd, replay_cmd, rehearse_cmd, compact_cmd)


class _OneLineParser(argparse.ArgumentParser):
    """argparse prints usage plus the error; we print one line saying what is wrong."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"mlmeta {self.prog.removeprefix('mlmeta').strip()}: error: {message}\n".replace("  ", " "))


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="mlmeta", description="SageMaker Experiments metadata: names, events, the metric lake.")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as err:
        print(f"mlmeta {args.command}: error: {err}", file=sys.stderr)
        return err.exit_code
    except BrokenPipeError:
        # `mlmeta query ... | head` closed the pipe: not an error; keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
