"""The events stack's rules (``mlmeta_contract.events``) bound to the handlers they invoke: each
route's ``handler`` is the ``HandlerSpec`` of its target, which the stack deploys and ``mlmeta replay``
runs. The patterns themselves, and the strings they match, are the contract's.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlmeta.config import EnvironmentSettings
from mlmeta.events.handlers import HANDLERS_BY_NAME, HandlerSpec, environment_pipeline_names
from mlmeta.events.patterns import check_pattern
from mlmeta_contract.events import RouteSpec, route_specs


@dataclass(frozen=True)
class Route(RouteSpec):
    """A ``RouteSpec`` whose handler is the spec of the code its target runs; its pattern is one replay
    can match (``check_pattern``)."""

    handler: HandlerSpec  # type: ignore[assignment] (the spec, where the contract has its name)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.pattern is not None:
            check_pattern(self.pattern)


def routes(settings: EnvironmentSettings) -> tuple[Route, ...]:
    """The rules of ``settings``' environment, in deployment order."""
    return tuple(
        Route(spec.name, spec.description, HANDLERS_BY_NAME[spec.handler], pattern=spec.pattern, schedule=spec.schedule)
        for spec in route_specs(environment_pipeline_names(settings))
    )
