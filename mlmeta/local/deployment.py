"""A deployed environment as replay runs against it (``mlmeta rehearse``, docs/deploying.md): its rules,
the functions they target and what those functions were deployed with, read back from the emulator
they were deployed into. Without one, replay runs against its own stand-ins (``mlmeta.local.emulator``)
with the environment the stack would give each function (``mlmeta.events.handlers``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mlmeta.events.handlers import EventResources
from mlmeta.events.routes import Route


@dataclass(frozen=True)
class DeployedFunction:
    """A handler's Lambda function as deployed: its configuration, not the code's expectations."""

    name: str
    arn: str
    memory_mb: int
    environment: Mapping[str, str]


@dataclass(frozen=True)
class Deployment:
    resources: EventResources  # from the deployed stack's outputs
    routes: tuple[Route, ...]  # the deployed rules; each route's handler is the spec of its target's code
    functions: Mapping[str, DeployedFunction]  # handler name (tagger, ...) -> its deployed function
