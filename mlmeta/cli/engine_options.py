"""Checks shared by the commands that run on a local lake (--lake) or on Athena (--athena)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from mlmeta.cli.errors import CliError


def reject_athena_only_options(args: argparse.Namespace, options: Sequence[str]) -> None:
    """With --lake, Athena-only options are an error rather than silently ignored."""
    given = [f"--{opt.replace('_', '-')}" for opt in options if getattr(args, opt) is not None]
    if args.lake is not None and given:
        raise CliError(f"{', '.join(given)} only appl{'ies' if len(given) == 1 else 'y'} with --athena, not with --lake")
