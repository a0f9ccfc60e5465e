"""The installed ``mlmeta`` entry point (not just ``main``) turns a bad argument into one line and exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_console_script_prints_one_line_for_a_bad_argument():
    script = Path(sys.executable).with_name("mlmeta")
    assert script.is_file(), f"{script} missing: install the package (pip install -e .)"

    done = subprocess.run([str(script), "query", "any_query", "--athena", "--format", "xml"],
                          capture_output=True, text=True, timeout=60)

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("mlmeta query: error: argument --format: invalid choice: 'xml'")
    assert done.stderr.count("\n") == 1
