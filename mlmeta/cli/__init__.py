"""The ``mlmeta`` command line. Each sub-command lives in its own module and registers itself here."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence

from mlmeta import __version__
from mlmeta.cli import compact_cmd, demo_cmd, names_cmd, plot_cmd, query_cmd, replay_cmd
from mlmeta.cli.errors import CliError

# Each module exposes ``register(subparsers)``; its parser sets ``func(args) -> int``.
COMMANDS = (query_cmd, names_cmd, demo_cmd, plot_cmd, replay_cmd, compact_cmd)


# argparse takes only -1 and -1.5 for negative numbers, so "--param -1e-3" or "--param -1.7976931348623157e308"
# would read as an unknown option; any float notation (and -inf, -nan: the type checks refuse them) is a value.
NEGATIVE_NUMBER = re.compile(r"^-(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?$|^-(inf|infinity|nan)$", re.IGNORECASE)


class _OneLineParser(argparse.ArgumentParser):
    """argparse prints usage plus the error; we print one line saying what is wrong."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_NUMBER

    def error(self, message: str) -> None:  # type: ignore[override]
        # "mlmeta query: error: ..." for a command, "mlmeta: error: ..." for the top level.
        self.exit(2, f"{' '.join(self.prog.split())}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="mlmeta", description="SageMaker Experiments metadata: names, events, the metric lake.")
    parser.add_argument("--version", action="version", version=f"mlmeta {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)
    for command in COMMANDS:
        command.register(subparsers)
    _describe_from_help(subparsers)
    return parser


def _describe_from_help(subparsers: argparse._SubParsersAction) -> None:
    """A command registered without a description shows its one-line help under ``mlmeta COMMAND --help``
    (sub-commands such as ``mlmeta names check`` too)."""
    for choice in subparsers._choices_actions:
        command = subparsers.choices[choice.dest]
        if not command.description and choice.help:
            command.description = choice.help[0].upper() + choice.help[1:] + "."
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                _describe_from_help(action)


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
