"""One environment's cloud assembly, synthesized in this process the way ``app.py`` synthesizes it
(``stacks.mlmeta_app.create_app`` and ``build``, so cdk-nag runs), for ``mlmeta rehearse`` without
``--assembly``. The stacks come from the repository checkout (``stacks/`` is not installed)."""

from __future__ import annotations

from pathlib import Path

from mlmeta.config import EnvironmentSettings
from mlmeta.local.checkout import CheckoutError, checkout_module
from mlmeta.queries.catalog import load_queries


class SynthError(RuntimeError):
    """The environment cannot be synthesized here; the message says why."""


def synthesize(settings: EnvironmentSettings, outdir: Path) -> Path:
    """Synthesize ``settings``' stacks into ``outdir``; the assembly's directory."""
    try:
        app_module = checkout_module("stacks.mlmeta_app")
    except CheckoutError as err:
        raise SynthError(f"mlmeta rehearse synthesizes from a checkout of the repository ({err}); or give --assembly") from None
    app = app_module.create_app(outdir=str(outdir))
    try:
        app_module.build(app, settings, list(load_queries().values()))
    except ValueError as err:  # a configuration mistake (a name off the convention, a bad query): one line, as app.py says it
        raise SynthError(f"cannot synthesize {settings.name}: {' '.join(str(err).split())}") from None
    return Path(app.synth().directory)
