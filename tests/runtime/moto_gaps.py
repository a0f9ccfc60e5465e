"""A pipeline execution in moto, and what moto 5.2 cannot say about it filled in on one client.

moto keeps experiments, trials, trial components, their tags and their parameters, and its Search
answers ``Parents.TrialName`` filters; but its Search results carry no ``Metrics`` and no ``Source``
(sagemaker-metrics and jobs are not simulated) and it has no ListPipelineExecutionSteps. Two botocore
event hooks on the handler's client fill exactly that in from runtime_shapes.py (AWS's documented
shapes, checked against the service model), so everything else stays moto's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.validate import validate_parameters

from runtime_shapes import (
    EXPERIMENT,
    METRICS,
    SOURCES,
    TRIAL_COMPONENTS,
    execution_steps_response,
    trial_component,
)

_SEARCH = "after-call.sagemaker.Search"
_LIST_STEPS = "before-call.sagemaker.ListPipelineExecutionSteps"


def pipelines_ran(sagemaker: Any) -> None:
    """What SageMaker Pipelines and the evaluation step leave behind for the fixture execution."""
    sagemaker.create_experiment(ExperimentName=EXPERIMENT)
    for trial, names in TRIAL_COMPONENTS.items():
        sagemaker.create_trial(TrialName=trial, ExperimentName=EXPERIMENT)
        for index, name in enumerate(names):
            shape = trial_component(name, trial, index=index)
            sagemaker.create_trial_component(
                TrialComponentName=name,
                Status=shape["Status"],
                StartTime=shape["StartTime"],
                EndTime=shape["EndTime"],
                Parameters=shape["Parameters"],
                InputArtifacts=shape["InputArtifacts"],
                OutputArtifacts=shape["OutputArtifacts"],
            )
            sagemaker.associate_trial_component(TrialComponentName=name, TrialName=trial)


def _add_sources_and_metrics(parsed: dict[str, Any], **_: Any) -> None:
    for result in parsed.get("Results", []):
        component = result.get("TrialComponent")
        if component:
            name = component["TrialComponentName"]
            component["Metrics"] = list(METRICS.get(name, []))
            if name in SOURCES:
                component["Source"] = {"SourceArn": SOURCES[name][0], "SourceType": SOURCES[name][1]}


def _list_steps(model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
    response = execution_steps_response()
    validate_parameters(response, model.output_shape)
    return AWSResponse(None, 200, {}, None), response


@contextmanager
def sagemaker_gaps_filled(client: Any) -> Iterator[None]:
    client.meta.events.register(_SEARCH, _add_sources_and_metrics)
    client.meta.events.register(_LIST_STEPS, _list_steps)
    try:
        yield
    finally:
        client.meta.events.unregister(_SEARCH, _add_sources_and_metrics)
        client.meta.events.unregister(_LIST_STEPS, _list_steps)
