"""Benchmark: each event handler's in-process latency per event (p50, p99), against the bare cost of
the very AWS calls it made for that event.

The handlers run as in tests/runtime (same environment, moto account, fixtures and moto-gap hooks),
each on its own stream of distinct, seeded events (a fresh execution, component or experiment per
event, so that moto's AddTags, which appends instead of overwriting, does not grow a resource). Every
API call a handler makes is recorded with a botocore hook, then replayed through the same client
right after: that replay is the event's baseline.
"""

from __future__ import annotations

import copy
import io
import json
import random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.client import BaseClient

from bench.aws_calls import replay, watching
from bench.model import Benchmark, Row, RunOptions
from bench.runtime_support import moto_gaps, runtime_shapes, runtime_world
from bench.sagemaker_history import SageMakerHistory, executions_before, recent_start, widened
from bench.timing import elapsed_ms, percentile, quiet_heap
from mlmeta.local.moto_gaps import sagemaker_like_aws
from mlmeta_runtime.jobs import job_component_name

Event = dict[str, Any]
WARM_UP = 1  # events run first and not counted: the first call on a client resolves its endpoint
TUNING_COMPONENTS = 250


@dataclass(frozen=True)
class LatencyCase:
    handler: str  # the handler package
    label: str
    # Puts what the events need into moto and returns the events (count of them).
    prepare: Callable[[Any, random.Random, int], list[Event]]
    # What every answer must say, so that the case measures the path it names.
    expect: Mapping[str, Any]
    # What fills moto's gaps for this handler while it runs (given the handler module).
    moto_gaps: Callable[[Any], AbstractContextManager[Any]] = lambda handler: nullcontext()
    # Events of a full run (a smoke run has 3); fewer for slow cases.
    events: int = 200


def run(options: RunOptions) -> Iterator[Row]:
    for number, case in enumerate(CASES):
        events = options.size(case.events, 3)
        options.progress(f"{case.handler}, {case.label}: {events} events")
        yield from _measure(case, random.Random(options.seed * 1000 + number), events)


def _measure(case: LatencyCase, rng: random.Random, count: int) -> list[Row]:
    handler = runtime_world.import_handler(case.handler)
    clients = [value for value in vars(handler).values() if isinstance(value, BaseClient)]
    handler_ms: list[float] = []
    calls_ms: list[float] = []
    stdout = io.StringIO()  # EMF documents, one a line
    with ExitStack() as stack:
        world = stack.enter_context(runtime_world.moto_world())
        stack.enter_context(case.moto_gaps(handler))
        events = case.prepare(world, rng, count + WARM_UP)
        stack.enter_context(runtime_world.captured_logs())
        stack.enter_context(redirect_stdout(stdout))
        stack.enter_context(quiet_heap())
        for index, event in enumerate(events):
            with watching(*clients) as log:
                started = time.perf_counter()
                answer = handler.lambda_handler(event, runtime_world.CONTEXT)
                took = (time.perf_counter() - started) * 1000
            wrong = {key: answer.get(key) for key, value in case.expect.items() if answer.get(key) != value}
            if wrong:
                raise RuntimeError(f"{case.handler} ({case.label}) answered {wrong}, expected {dict(case.expect)}: {answer.get('reason')}")
            bare = elapsed_ms(lambda: replay(log.calls))
            if index >= WARM_UP:
                handler_ms.append(took)
                calls_ms.append(bare)
            calls = log.summary()
    name = f"{case.handler}: {case.label}"
    note = f"{calls} per event; {count} events"
    emf_lines = stdout.getvalue().count('"_aws"')
    if emf_lines:
        note += f"; {emf_lines // len(events)} EMF log lines per event"
    return [
        Row(name, "p50 latency", "ms", percentile(handler_ms, 50), percentile(calls_ms, 50), note),
        Row(name, "p99 latency", "ms", percentile(handler_ms, 99), percentile(calls_ms, 99), note),
    ]


def _execution_ids(rng: random.Random, count: int) -> list[str]:
    return ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12)) for _ in range(count)]


def _event_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _of_execution(fixture: str, execution_id: str, rng: random.Random) -> Event:
    """The fixture event, about another execution of the fixture's pipeline (its ARNs and job names follow)."""
    event = json.loads(json.dumps(runtime_world.load_event(fixture)).replace(runtime_shapes.EXECUTION_ID, execution_id))
    event["id"] = _event_id(rng)
    return event


def _executions_starting(world: Any, rng: random.Random, count: int) -> list[Event]:
    world.sagemaker.create_experiment(ExperimentName=runtime_shapes.EXPERIMENT)
    events = []
    for execution_id in _execution_ids(rng, count):
        world.sagemaker.create_trial(TrialName=runtime_shapes.ENVIRONMENT_TRIAL.replace(runtime_shapes.EXECUTION_ID, execution_id),
                                     ExperimentName=runtime_shapes.EXPERIMENT)
        events.append(_of_execution("pipeline_execution_executing.json", execution_id, rng))
    return events


def _training_steps_finishing(world: Any, rng: random.Random, count: int) -> list[Event]:
    events = []
    for execution_id in _execution_ids(rng, count):
        event = _of_execution("pipeline_step_train.json", execution_id, rng)
        world.sagemaker.create_trial_component(TrialComponentName=job_component_name(event["detail"]["metadata"]["trainingJob"]["arn"]))
        events.append(event)
    return events


def _experiments_created(names: Callable[[random.Random, int], str]) -> Callable[[Any, random.Random, int], list[Event]]:
    """CloudTrail CreateExperiment events (the fixture's) for experiments named ``names(rng, number)``."""

    def prepare(world: Any, rng: random.Random, count: int) -> list[Event]:
        fixture = runtime_world.load_event("cloudtrail_create_experiment.json")
        events = []
        for number in range(count):
            name = names(rng, number)
            arn = world.sagemaker.create_experiment(ExperimentName=name)["ExperimentArn"]
            event = copy.deepcopy(fixture)
            event["id"] = _event_id(rng)
            event["detail"]["eventID"] = _event_id(rng)
            event["detail"]["requestParameters"]["experimentName"] = name
            event["detail"]["responseElements"]["experimentArn"] = arn
            events.append(event)
        return events

    return prepare


def _eda_experiment(rng: random.Random, number: int) -> str:
    return f"churn-prediction-eda-{''.join(rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(6))}{number}"


def _experiment_off_convention(rng: random.Random, number: int) -> str:
    del rng
    return f"churnexperiment{number}"


def _execution_succeeding(world: Any, rng: random.Random, count: int) -> list[Event]:
    """The fixture execution (3 components, 5 metrics), its Succeeded event delivered ``count`` times
    (duplicates write the same objects), ending a minute ago so its metrics are emitted as EMF."""
    moto_gaps.pipelines_ran(world.sagemaker)
    ended = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    events = []
    for _ in range(count):
        event = runtime_world.load_event("pipeline_execution_succeeded.json")
        event["id"] = _event_id(rng)
        event["time"] = _iso(ended + timedelta(seconds=1))
        event["detail"]["executionStartTime"] = _iso(ended - timedelta(minutes=47))
        event["detail"]["executionEndTime"] = _iso(ended)
        events.append(event)
    return events


def _tuning_execution_succeeding(world: Any, rng: random.Random, count: int) -> list[Event]:
    """A synthetic execution whose tuning step left 249 training-job components (plus its evaluation
    component: 503 metrics), its Succeeded event delivered ``count`` times."""
    [execution] = executions_before(recent_start(), seed=rng.randrange(2**32), count=1)
    execution = widened(execution, TUNING_COMPONENTS)
    SageMakerHistory(world.sagemaker).put([execution])
    identity = execution.identity
    events = []
    for _ in range(count):
        event = _of_execution("pipeline_execution_succeeded.json", identity["pipeline_execution_id"], rng)
        event["detail"]["currentPipelineExecutionStatus"] = identity["execution_status"]
        event["detail"]["executionStartTime"] = identity["execution_start"]
        event["detail"]["executionEndTime"] = event["time"] = identity["execution_end"]
        events.append(event)
    return events


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


CASES: Sequence[LatencyCase] = (
    LatencyCase("tagger", "execution started", _executions_starting, {"status": "tagged"}),
    LatencyCase("tagger", "training step finished", _training_steps_finishing, {"status": "tagged"}),
    LatencyCase("naming_guard", "compliant experiment", _experiments_created(_eda_experiment), {"status": "checked", "verdict": "compliant"}),
    LatencyCase("naming_guard", "experiment off the convention", _experiments_created(_experiment_off_convention),
                {"status": "checked", "verdict": "violation", "notified": True}),
    LatencyCase("snapshotter", "execution succeeded (3 components, 5 metrics)", _execution_succeeding, {"status": "written", "emitted": 5},
                moto_gaps=lambda handler: sagemaker_like_aws()),
    LatencyCase("snapshotter", f"tuning execution succeeded ({TUNING_COMPONENTS} components)", _tuning_execution_succeeding,
                {"status": "written", "components": TUNING_COMPONENTS}, moto_gaps=lambda handler: sagemaker_like_aws(), events=20),
)

BENCHMARK = Benchmark(
    name="handler-latency",
    title="Event handler latency, in-process",
    measures=(
        "Each handler's `lambda_handler` on a stream of distinct seeded events (the fixtures of tests/events "
        "varied per event), in-process against moto as in tests/runtime, logs captured. p50 and p99 over the "
        "events, after one warm-up event."
    ),
    baseline=(
        "The same AWS calls the handler made for each event (recorded with botocore's `provide-client-params` "
        "hook), replayed through the same clients right after it: the bare cost of its calls in moto."
    ),
    ratio_means=(
        "handler ÷ its own AWS calls: 1.0 means the handler costs nothing beyond its calls; the excess is "
        "event parsing and validation, naming checks, record building, logging and EMF. moto answers a call in "
        "about a millisecond, AWS in tens of milliseconds, so in Lambda the same excess is a much smaller share."
    ),
    run=run,
)
