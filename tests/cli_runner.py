"""Runs the ``mlmeta`` command in process, the way the CLI tests need it."""

from __future__ import annotations

from mlmeta.cli import main


def run_cli(capsys, *argv):
    """Exit code, stdout, stderr of ``mlmeta ARGV``; argparse errors exit through SystemExit."""
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = stop.code
    out = capsys.readouterr()
    return code, out.out, out.err
