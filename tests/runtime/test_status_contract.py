"""The pipeline statuses the handlers and the EventBridge rules know (one set, in
mlmeta_contract.events) are exactly SageMaker's, as botocore's service model (the API's own
definition, shipped in the venv) enumerates them. Lambda does not read botocore's model at run time (the
runtime's botocore may be older or newer than the venv's): the project keeps its own constants and this
test keeps them equal to the model."""

from __future__ import annotations

import typing

import botocore.session

from mlmeta_contract import events as contract_events
from mlmeta_runtime import events

# The statuses that end an execution (snapshots are taken then); the model does not mark them. The
# others, Executing and Stopping, are an execution still running. botocore 1.44 has CompletedWithFailures,
# which older copies of the API reference (five values) do not list.
DOCUMENTED_TERMINAL = {"Succeeded", "Failed", "Stopped", "CompletedWithFailures"}


def _enum(shape: str) -> list[str]:
    return botocore.session.get_session().get_service_model("sagemaker").shape_for(shape).enum


def test_the_execution_statuses_are_botocores():
    statuses = _enum("PipelineExecutionStatus")

    assert set(contract_events.EXECUTION_STATUSES) == set(statuses)
    # The handlers' model takes exactly these (a Literal built from the tuple).
    assert set(typing.get_args(events.ExecutionStatus)) == set(statuses)


def test_the_step_statuses_are_botocores():
    assert set(contract_events.STEP_STATUSES) == set(_enum("StepStatus"))
    assert set(typing.get_args(events.StepStatus)) == set(_enum("StepStatus"))


def test_the_terminal_statuses_are_the_documented_subset():
    assert set(contract_events.TERMINAL_STATUSES) == DOCUMENTED_TERMINAL
    assert set(contract_events.TERMINAL_STATUSES) <= set(_enum("PipelineExecutionStatus"))
