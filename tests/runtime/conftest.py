"""Fixtures of the handler tests (support code in runtime_world.py and runtime_shapes.py)."""

from __future__ import annotations

import pytest

from runtime_world import HANDLER_PACKAGES, captured_logs, import_handler, moto_world


@pytest.fixture(scope="session")
def handlers():
    """Each handler module by package name, imported once with the handlers' environment."""
    return {package: import_handler(package) for package in HANDLER_PACKAGES}


@pytest.fixture
def world(handlers):
    with moto_world() as aws:
        yield aws


@pytest.fixture
def logs(handlers):
    with captured_logs() as lines:
        yield lines
