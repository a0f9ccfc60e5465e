"""At-least-once, in any order: the same events delivered twice, or in reverse order (the execution's
Succeeded before its Executing), leave byte-identical lake objects and identical tags. Runs against moto
with its SageMaker gaps (metrics, job sources, ListPipelineExecutionSteps) filled in by mlmeta.local.moto_gaps."""

from __future__ import annotations

import copy

import pytest

from mlmeta_contract.lake.records import decode_records
from moto_gaps import pipelines_ran, sagemaker_like_aws
from runtime_shapes import ENVIRONMENT_TRIAL, JOBS, arn, job_component_name
from runtime_world import CONTEXT, load_event, moto_world

EVENTS = [
    ("tagger", "pipeline_execution_executing.json"),
    ("tagger", "pipeline_step_preprocess.json"),
    ("tagger", "pipeline_step_train.json"),
    ("snapshotter", "pipeline_execution_succeeded.json"),
]
ORDERS = {
    "in order": EVENTS,
    "each twice": [event for event in EVENTS for _ in range(2)],
    "reversed": list(reversed(EVENTS)),
    "reversed, twice over": list(reversed(EVENTS)) * 2,
}
TAGGED = [arn("experiment-trial", ENVIRONMENT_TRIAL)] + [arn("experiment-trial-component", job_component_name(step)) for step in JOBS]


def _deliver(handlers, deliveries) -> tuple[dict[str, bytes], dict[str, dict[str, str]]]:
    with moto_world() as world, sagemaker_like_aws():
        pipelines_ran(world.sagemaker)
        for handler, fixture in deliveries:
            answer = handlers[handler].lambda_handler(copy.deepcopy(load_event(fixture)), CONTEXT)
            assert answer["status"] in ("tagged", "written"), answer
        return world.lake(), {resource: world.tags(resource) for resource in TAGGED}


@pytest.fixture
def no_waiting(handlers, monkeypatch):
    def refuse(seconds: float) -> None:
        raise AssertionError(f"the tagger waited {seconds} s: every resource exists already")

    monkeypatch.setattr(handlers["tagger"], "sleep", refuse)


def test_any_order_and_any_repetition_leaves_the_same_lake_and_tags(handlers, no_waiting):
    outcomes = {order: _deliver(handlers, deliveries) for order, deliveries in ORDERS.items()}

    lake, tags = outcomes["in order"]
    assert sorted(lake) == [
        "raw/component_snapshots/dt=2026-01-02/p4jn9xou8a8s.json.gz",
        "raw/metric_snapshots/dt=2026-01-02/p4jn9xou8a8s.json.gz",
    ]
    steps = [record["step_name"] for record in decode_records(lake["raw/component_snapshots/dt=2026-01-02/p4jn9xou8a8s.json.gz"])]
    assert steps == ["preprocess", "train", "evaluation"]
    assert len(decode_records(lake["raw/metric_snapshots/dt=2026-01-02/p4jn9xou8a8s.json.gz"])) == 5
    assert tags[TAGGED[0]]["mlmeta:kind"] == "environment-trial"
    assert [tags[resource]["mlmeta:step"] for resource in TAGGED[1:]] == list(JOBS)
    for order, outcome in outcomes.items():
        assert outcome[0] == lake, f"lake differs when delivered {order}"
        assert outcome[1] == tags, f"tags differ when delivered {order}"
