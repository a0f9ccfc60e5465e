"""Fixtures of the deploy rehearsal tests: dev synthesized once per session (seconds), the way
``mlmeta rehearse`` synthesizes it without ``--assembly``; copies of it to tamper with.

The handler tests' helpers (tests/runtime) put SageMaker's side of a pipeline execution into moto, as
in the replay tests."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

RUNTIME_TESTS = Path(__file__).resolve().parents[1] / "runtime"
if str(RUNTIME_TESTS) not in sys.path:
    sys.path.append(str(RUNTIME_TESTS))

from mlmeta.config import get_environment  # noqa: E402
from mlmeta.local.rehearsal.synth import synthesize  # noqa: E402

SETTINGS = get_environment("dev")


@pytest.fixture(scope="session")
def dev_assembly(tmp_path_factory) -> Path:
    return synthesize(SETTINGS, tmp_path_factory.mktemp("rehearsal") / "cdk.out")


@pytest.fixture
def tampered_assembly(dev_assembly, tmp_path) -> Callable[[str, Callable[[dict[str, Any]], None]], Path]:
    """``tampered_assembly("events", change)``: a copy of dev's assembly whose events template ``change`` edited."""

    def tamper(component: str, change: Callable[[dict[str, Any]], None]) -> Path:
        copy = Path(shutil.copytree(dev_assembly, tmp_path / "cdk.out"))
        path = copy / f"{SETTINGS.stack_name(component)}.template.json"
        template = json.loads(path.read_text())
        change(template)
        path.write_text(json.dumps(template))
        return copy

    return tamper


def pytest_collection_modifyitems(items):
    for item in items:
        if "dev_assembly" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
