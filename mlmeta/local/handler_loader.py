"""Importing the real handler code (``lambdas/``) in this process as Lambda would: with the function's
environment, so its module-level settings and boto3 clients are what a deployed function gets.

Each load is a fresh import, isolated like a separate execution environment: the ``lambdas/`` packages
are imported anew under the given environment (variables and a new default boto3 session), and
afterwards ``sys.modules`` and ``os.environ`` are put back as they were. So two loads with different
environments do not share settings or clients, and code elsewhere in the process that imported the
same packages (the handler tests) keeps its own modules. ``mlmeta_contract`` and ``mlmeta.lake`` are
shared: they hold no state.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import boto3

import mlmeta
from mlmeta.local.emulator import new_session

LAMBDAS_DIR = Path(mlmeta.__file__).resolve().parents[1] / "lambdas"
# Variables that would point the handlers' clients elsewhere than the environment given.
_OVERRIDING_PREFIXES = ("AWS_ENDPOINT_URL_",)
_OVERRIDING = ("AWS_PROFILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")


class HandlerCodeError(RuntimeError):
    """The handler code cannot be imported here (not a checkout, a dependency missing)."""


def handler_packages(lambdas_dir: Path = LAMBDAS_DIR) -> frozenset[str]:
    """The top-level packages of ``lambdas/`` (tagger, mlmeta_runtime, ...)."""
    if not lambdas_dir.is_dir():
        raise HandlerCodeError(f"handler code not found at {lambdas_dir}: replay runs from a checkout of the mlmeta repository")
    return frozenset(path.name for path in lambdas_dir.iterdir() if (path / "__init__.py").is_file())


def load_module(name: str, environment: Mapping[str, str], lambdas_dir: Path = LAMBDAS_DIR) -> ModuleType:
    """``name`` (e.g. ``tagger.handler``), freshly imported from ``lambdas_dir`` with ``environment``."""
    packages = handler_packages(lambdas_dir)
    if name.partition(".")[0] not in packages:
        raise HandlerCodeError(f"{name} is not a module of the handler packages in {lambdas_dir}")
    with _isolated_modules(packages), _environment(environment), _fresh_default_session(), _on_path(lambdas_dir):
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as err:
            raise HandlerCodeError(f"cannot import {name}: module {err.name} is missing (pip install -e '.[dev]')") from None


@contextmanager
def _isolated_modules(packages: frozenset[str]) -> Iterator[None]:
    def ours(module_name: str) -> bool:
        return module_name.partition(".")[0] in packages

    saved = {name: module for name, module in sys.modules.items() if ours(name)}
    for name in saved:
        del sys.modules[name]
    try:
        yield
    finally:
        for name in [name for name in sys.modules if ours(name)]:
            del sys.modules[name]
        sys.modules.update(saved)


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    for name in list(os.environ):
        if name in _OVERRIDING or name.startswith(_OVERRIDING_PREFIXES):
            del os.environ[name]
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def _fresh_default_session() -> Iterator[None]:
    # boto3.client() uses one process-wide session, which caches credentials and config once resolved;
    # the handler gets a new one, made under its environment.
    saved = boto3.DEFAULT_SESSION
    boto3.DEFAULT_SESSION = new_session()
    try:
        yield
    finally:
        boto3.DEFAULT_SESSION = saved


@contextmanager
def _on_path(directory: Path) -> Iterator[None]:
    sys.path.insert(0, str(directory))
    try:
        yield
    finally:
        sys.path.remove(str(directory))
