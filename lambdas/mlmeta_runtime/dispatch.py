"""Which function of a handler takes which event: an effect module marks each of its functions with
``@handles(Model)``, and ``Dispatch.of(module)`` collects them. The models a handler accepts are the
ones its functions are registered for, so a new event type is its model and its function in the
effect module (docs/architecture.md, "What one change touches"), with no list or branch to add in the
handler.

A registered function gets the event as ``event`` and, by parameter name, what the handler provides
(its clients and settings: ``services``, a function read at each event, so what a test replaces in the
handler's module is what the function gets), like pytest's fixtures: a function takes only what it
needs. A parameter the handler does not provide fails the cold start with one line naming both.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
HANDLES = "__mlmeta_handles__"
EVENT = "event"


def handles(model: type) -> Callable[[F], F]:
    """Mark ``work(event, ...)`` as the function of the events ``model`` parses."""

    def mark(work: F) -> F:
        setattr(work, HANDLES, model)
        return work

    return mark


class DispatchError(TypeError):
    """A handler's functions and what it provides do not fit; raised at import (cold start)."""


@dataclass(frozen=True)
class Dispatch:
    work: Mapping[type, Callable[..., Any]]
    services: Callable[[], Mapping[str, Any]]
    # The names of the services each function takes, by model (chosen once, at the cold start).
    wanted: Mapping[type, tuple[str, ...]]

    @classmethod
    def of(cls, *modules: ModuleType, services: Callable[[], Mapping[str, Any]]) -> Dispatch:
        """The functions marked with ``handles`` in ``modules``, in the order they are defined."""
        provided = tuple(services())
        work: dict[type, Callable[..., Any]] = {}
        for module in modules:
            for function in vars(module).values():
                model = getattr(function, HANDLES, None)
                if model is None or getattr(function, "__module__", None) != module.__name__:
                    continue
                if model in work:
                    raise DispatchError(f"{model.__name__} is handled twice: by {work[model].__qualname__} and {function.__qualname__}")
                _check_parameters(function, provided)
                work[model] = function
        if not work:
            raise DispatchError(f"no function of {', '.join(m.__name__ for m in modules)} is marked with @handles")
        wanted = {model: tuple(name for name in provided if name in inspect.signature(function).parameters) for model, function in work.items()}
        return cls(work, services, wanted)

    @property
    def accepted(self) -> tuple[type, ...]:
        return tuple(self.work)

    def __call__(self, event: Any) -> Any:
        model = type(event)
        services = self.services()
        return self.work[model](event=event, **{name: services[name] for name in self.wanted[model]})


def _check_parameters(function: Callable[..., Any], services: tuple[str, ...]) -> None:
    parameters = inspect.signature(function).parameters
    if EVENT not in parameters:
        raise DispatchError(f"{function.__qualname__} takes no parameter {EVENT!r}")
    missing = [
        name for name, parameter in parameters.items()
        if name != EVENT and name not in services and parameter.default is inspect.Parameter.empty
        and parameter.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]  # fmt: skip
    if missing:
        raise DispatchError(f"{function.__qualname__} needs {', '.join(missing)}, which the handler does not provide ({', '.join(services) or 'nothing'})")
