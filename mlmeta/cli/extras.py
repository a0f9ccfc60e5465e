"""What a command needs beyond the base install (``pip install mlmeta``: the library and the lake's
commands), said in one line before anything runs, instead of an ImportError's traceback.

The local harness (``mlmeta replay``, ``demo``, ``rehearse``) runs the handlers of a checkout's ``lambdas/``
on an embedded AWS: moto, and the handlers' Powertools and pydantic, from the ``[dev]`` extra. Synthesizing
(``mlmeta rehearse`` without ``--assembly``) needs the CDK and cdk-nag, from the ``[deploy]`` extra."""

from __future__ import annotations

from importlib.util import find_spec

from mlmeta.cli.errors import CliError

HANDLER_MODULES = ("aws_lambda_powertools", "pydantic")
EMBEDDED_AWS_MODULES = ("moto",)
SYNTH_MODULES = ("aws_cdk", "cdk_nag")
CHECKOUT_INSTALL = "in a checkout of the mlmeta repository, run make install (or pip install -e '.[deploy,dev]')"


def require_local_harness(*, embedded_aws: bool = True) -> None:
    """CliError unless the handlers' packages (and moto, for an embedded AWS) are importable."""
    _require(HANDLER_MODULES + (EMBEDDED_AWS_MODULES if embedded_aws else ()), "the local harness (the [dev] extra)")


def require_synth() -> None:
    """CliError unless the CDK and cdk-nag are importable."""
    _require(SYNTH_MODULES, "the CDK to synthesize (the [deploy] extra; or give --assembly)")


def _require(modules: tuple[str, ...], what: str) -> None:
    # find_spec locates a top-level package without importing it: the check costs no start-up time.
    missing = [module for module in modules if find_spec(module) is None]
    if missing:
        raise CliError(f"this command needs {what}, which is not installed (missing: {', '.join(missing)}): {CHECKOUT_INSTALL}")
