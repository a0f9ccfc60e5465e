"""Which function takes which event (mlmeta_runtime/dispatch.py): a handler accepts exactly the models its
effect module marks with ``@handles``, each event reaches its model's function with the services it names,
and a handler whose functions and services do not fit fails at import with one line."""

from __future__ import annotations

import types
from typing import Literal

import pytest
from pydantic import Field

from mlmeta_runtime.dispatch import HANDLES, Dispatch, DispatchError, handles
from mlmeta_runtime.events import Malformed, PipelineExecutionStatusEvent, ScheduledEvent, parse_event
from runtime_world import HANDLER_PACKAGES, load_event

EFFECT_MODULES = {"tagger": "tagging", "naming_guard": "guard", "snapshotter": "snapshot", "reconciler": "reconcile"}


def _module(name: str, **functions: object) -> types.ModuleType:
    module = types.ModuleType(name)
    for attribute, function in functions.items():
        function.__module__ = name  # type: ignore[attr-defined]
        setattr(module, attribute, function)
    return module


@pytest.mark.parametrize("package", HANDLER_PACKAGES)
def test_a_handler_accepts_exactly_the_models_its_effect_module_marks(handlers, package):
    module = handlers[package]
    effects = getattr(module, EFFECT_MODULES[package])
    marked = [getattr(f, HANDLES) for f in vars(effects).values() if getattr(f, HANDLES, None) and f.__module__ == effects.__name__]
    assert marked and list(module.ACCEPTED) == marked
    assert module.lambda_handler.accepts == module.ACCEPTED


def test_an_event_reaches_its_models_function_with_only_the_services_it_names():
    calls = []

    @handles(PipelineExecutionStatusEvent)
    def on_execution(event, *, clock):
        calls.append(("execution", event.id, clock))
        return "execution"

    @handles(ScheduledEvent)
    def on_schedule(event, *, store, clock):
        calls.append(("schedule", event.id, store, clock))
        return "schedule"

    services = {"clock": 1, "store": "s3"}
    dispatch = Dispatch.of(_module("effects", on_execution=on_execution, on_schedule=on_schedule), services=lambda: services)

    assert dispatch.accepted == (PipelineExecutionStatusEvent, ScheduledEvent)
    execution = parse_event(load_event("pipeline_execution_succeeded.json"), dispatch.accepted)
    schedule = parse_event(load_event("scheduled_event.json"), dispatch.accepted)
    services["clock"] = 2  # read at each event: what a test replaces in the handler's module is what the function gets
    assert (dispatch(execution), dispatch(schedule)) == ("execution", "schedule")
    assert calls == [("execution", execution.id, 2), ("schedule", schedule.id, "s3", 2)]


def test_a_new_event_type_is_its_model_and_its_function():
    # What docs/architecture.md counts: the model and its function in the effect module; nothing in the handler.
    class TrainingJobEvent(PipelineExecutionStatusEvent):
        detail_type: Literal["SageMaker Training Job State Change"] = Field(alias="detail-type")  # type: ignore[assignment]

    @handles(TrainingJobEvent)
    def on_training_job(event):
        return f"job {event.id}"

    dispatch = Dispatch.of(_module("effects", on_training_job=on_training_job), services=dict)
    raw = load_event("pipeline_execution_succeeded.json")
    parsed = parse_event({**raw, "detail-type": "SageMaker Training Job State Change"}, dispatch.accepted)
    assert dispatch(parsed) == f"job {raw['id']}"
    assert isinstance(parse_event(raw, dispatch.accepted), Malformed)  # the other detail-type is not this handler's


def test_a_function_needing_what_the_handler_does_not_provide_fails_at_import_naming_both():
    @handles(ScheduledEvent)
    def on_schedule(event, *, clients, steps):
        return None

    with pytest.raises(DispatchError) as caught:
        Dispatch.of(_module("effects", on_schedule=on_schedule), services=lambda: {"clients": object()})
    message = str(caught.value)
    assert "\n" not in message and "on_schedule needs steps" in message and "(clients)" in message


@pytest.mark.parametrize(
    ("functions", "expected"),
    [
        ({}, "no function of effects is marked with @handles"),
        ({"first": handles(ScheduledEvent)(lambda event: 1), "second": handles(ScheduledEvent)(lambda event: 2)},
         "ScheduledEvent is handled twice"),
        ({"eventless": handles(ScheduledEvent)(lambda payload: 1)}, "takes no parameter 'event'"),
    ],
    ids=["nothing-marked", "a-model-twice", "no-event-parameter"],
)
def test_a_handler_whose_functions_do_not_fit_fails_at_import(functions, expected):
    with pytest.raises(DispatchError, match=expected):
        Dispatch.of(_module("effects", **functions), services=dict)


def test_a_function_imported_into_the_effect_module_is_not_its_own():
    @handles(ScheduledEvent)
    def elsewhere(event):
        return None

    module = types.ModuleType("effects")
    module.elsewhere = elsewhere  # defined in this test module, not in "effects"
    with pytest.raises(DispatchError, match="no function of effects"):
        Dispatch.of(module, services=dict)
