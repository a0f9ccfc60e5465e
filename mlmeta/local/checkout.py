"""Code the local harness runs from the repository checkout rather than from the installed package: for
the demo, the experiments stack's specs (``stacks/experiments/specs.py``, no aws_cdk) and the pipeline's
tracking code (``pipelines/common/tracking.py``, what the evaluate step runs); for ``mlmeta rehearse``,
the CDK app (``stacks/mlmeta_app.py``). The handlers come from ``lambdas/`` the same way
(``mlmeta.local.handler_loader``), so the demo, the rehearsal and ``mlmeta replay`` need a checkout."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import mlmeta

REPOSITORY = Path(mlmeta.__file__).resolve().parents[1]


class CheckoutError(RuntimeError):
    """The code the demo runs is not there: mlmeta is not installed from a checkout."""


def checkout_module(name: str) -> ModuleType:
    """``name`` (e.g. ``pipelines.common.tracking``), imported from the repository root."""
    path = REPOSITORY.joinpath(*name.split(".")).with_suffix(".py")
    if not path.is_file():
        raise CheckoutError(f"the demo runs from a checkout of the mlmeta repository: {path} is missing")
    root = str(REPOSITORY)
    added = root not in sys.path
    if added:
        sys.path.append(root)  # last: nothing installed is shadowed
    try:
        return importlib.import_module(name)
    finally:
        if added:
            sys.path.remove(root)
