"""The command line loads the local harness (mlmeta/local/, moto) only for the commands that run it, so
``mlmeta --help``, ``mlmeta queries`` and the lake's commands work without moto installed
(tests/packaging/test_wheel_install.py runs them where it is not)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
# Run as `python -c` (a fresh interpreter: this one has the harness loaded): the command's output is
# swallowed, then the harness modules it loaded are printed.
_LOADED_PROBE = """
import contextlib, io, json, sys
from mlmeta.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(json.dumps(sorted(m for m in sys.modules if m.partition(".")[0] == "moto" or m.startswith("mlmeta.local"))))
"""
# What demo's options need (its defaults and bounds); a docstring and constants, no moto, no boto3.
OPTIONS_ONLY = ["mlmeta.local", "mlmeta.local.demo", "mlmeta.local.demo.settings"]


def loaded(*argv: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", _LOADED_PROBE, *argv], cwd=REPOSITORY, capture_output=True, text=True,
                          timeout=60, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("argv", [("--help",), ("queries",), ("names", "classify", "churn-prediction-dev")])
def test_the_library_commands_load_neither_moto_nor_the_harness(argv):
    assert loaded(*argv) == OPTIONS_ONLY


def test_a_harness_command_loads_it(tmp_path):
    # The witness that the probe sees what a command loads: replay of a missing file gets as far as reading it.
    assert "mlmeta.local.replay" in loaded("replay", str(tmp_path / "missing.json"))
