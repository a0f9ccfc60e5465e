"""The experiment provisioner (custom-resource onEvent handler) against moto, with CloudFormation request
fixtures from tests/events/.

moto 5.2.5 differs from SageMaker in ways that matter here, and the fixtures below say so:
- CreateExperiment drops Tags (docs/design.md §6): the handler always calls AddTags, and tags are read back
  with ListTags;
- CreateExperiment on a taken name silently replaces the experiment, where SageMaker answers
  ValidationException "... already exists" (the SageMaker Python SDK's Experiment._load_or_create relies
  on that): the ``sagemaker`` fixture restores SageMaker's answer;
- AddTags appends a key again instead of overwriting it: tags are compared as a dict (last value wins,
  as ListTags shows on SageMaker).
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from mlmeta_contract.naming import CONVENTION_ENV_VAR, DEFAULT_CONVENTION, convention_from_dict

REGION = "ap-northeast-1"
EVENTS = Path(__file__).resolve().parents[1] / "events"
REQUIRED = {"mlmeta:use-case": "churn-prediction", "mlmeta:environment": "dev"}


def event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"experiment_provisioner_{name}.json").read_text())


@dataclass
class FakeLambdaContext:
    function_name: str = "mlmeta-dev-experiment-provisioner"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:123456789012:function:mlmeta-dev-experiment-provisioner"
    aws_request_id: str = "6f1c1c4e-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def provisioner():
    """The handler module, imported the way Lambda imports it (region set, default convention)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_DEFAULT_REGION", REGION)
        env.delenv(CONVENTION_ENV_VAR, raising=False)
        return importlib.import_module("experiment_provisioner.handler")


@pytest.fixture
def sagemaker(provisioner, monkeypatch):
    """A moto SageMaker client that, like SageMaker, refuses CreateExperiment for a taken name; the
    handler's module-level client is replaced by it."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        client = boto3.client("sagemaker", region_name=REGION)
        client.meta.events.register("before-parameter-build.sagemaker.CreateExperiment", _refuse_taken_names(client))
        monkeypatch.setattr(provisioner, "sagemaker", client)
        yield client


def _refuse_taken_names(client):
    def before_parameter_build(params, **_):
        name = params["ExperimentName"]
        if any(s["ExperimentName"] == name for s in client.list_experiments()["ExperimentSummaries"]):
            error = {"Code": "ValidationException", "Message": f"Experiment '{name}' already exists."}
            raise ClientError({"Error": error}, "CreateExperiment")

    return before_parameter_build


def tags_of(client, name: str) -> dict[str, str]:
    arn = client.describe_experiment(ExperimentName=name)["ExperimentArn"]
    return {tag["Key"]: tag["Value"] for tag in client.list_tags(ResourceArn=arn)["Tags"]}


def experiment_names(client) -> set[str]:
    return {s["ExperimentName"] for s in client.list_experiments()["ExperimentSummaries"]}


def handle(provisioner, request: dict[str, Any]) -> dict[str, Any]:
    return provisioner.lambda_handler(request, FakeLambdaContext())


def test_create_makes_the_experiment_with_the_required_tags_and_the_naming_verdict(provisioner, sagemaker):
    response = handle(provisioner, event("create"))

    arn = sagemaker.describe_experiment(ExperimentName="churn-prediction-dev-pipeline")["ExperimentArn"]
    assert response == {
        "PhysicalResourceId": "churn-prediction-dev-pipeline",
        "Data": {"ExperimentName": "churn-prediction-dev-pipeline", "ExperimentArn": arn, "Adopted": "false"},
    }
    assert tags_of(sagemaker, "churn-prediction-dev-pipeline") == {
        **REQUIRED,
        "mlmeta:kind": "pipeline-experiment",
        "mlmeta:naming": "compliant",
    }


def test_a_replayed_create_adopts_the_experiment_instead_of_failing(provisioner, sagemaker):
    first = handle(provisioner, event("create"))
    created = sagemaker.describe_experiment(ExperimentName="churn-prediction-dev-pipeline")["CreationTime"]

    replay = handle(provisioner, event("create"))

    assert replay["PhysicalResourceId"] == first["PhysicalResourceId"]
    assert replay["Data"] == {**first["Data"], "Adopted": "true"}
    assert sagemaker.describe_experiment(ExperimentName="churn-prediction-dev-pipeline")["CreationTime"] == created
    assert experiment_names(sagemaker) == {"churn-prediction-dev-pipeline"}
    assert tags_of(sagemaker, "churn-prediction-dev-pipeline")["mlmeta:kind"] == "pipeline-experiment"


def test_an_experiment_created_by_hand_is_adopted_and_tagged(provisioner, sagemaker):
    sagemaker.create_experiment(ExperimentName="churn-prediction-dev-pipeline")
    assert tags_of(sagemaker, "churn-prediction-dev-pipeline") == {}

    response = handle(provisioner, event("create"))

    assert response["Data"]["Adopted"] == "true"
    assert tags_of(sagemaker, "churn-prediction-dev-pipeline")["mlmeta:environment"] == "dev"


def test_delete_keeps_the_experiment_and_calls_nothing(provisioner, sagemaker):
    handle(provisioner, event("create"))

    with Stubber(sagemaker):  # no responses queued: any SageMaker call would fail the test
        response = handle(provisioner, event("delete"))

    assert response == {"PhysicalResourceId": "churn-prediction-dev-pipeline"}
    assert experiment_names(sagemaker) == {"churn-prediction-dev-pipeline"}


def test_delete_never_fails_even_without_properties(provisioner, sagemaker):
    request = event("delete")
    del request["ResourceProperties"]

    assert handle(provisioner, request) == {"PhysicalResourceId": "churn-prediction-dev-pipeline"}


def test_an_update_that_renames_creates_the_new_experiment_and_keeps_the_old(provisioner, sagemaker):
    sagemaker.create_experiment(ExperimentName="churn-prediction-eda-ikazaki")

    response = handle(provisioner, event("update_rename"))

    assert response["PhysicalResourceId"] == "churn-prediction-eda-ikkiikazaki"
    assert response["Data"]["Adopted"] == "false"
    assert experiment_names(sagemaker) == {"churn-prediction-eda-ikazaki", "churn-prediction-eda-ikkiikazaki"}
    assert tags_of(sagemaker, "churn-prediction-eda-ikkiikazaki")["mlmeta:kind"] == "eda-experiment"


def test_an_update_of_the_tags_retags_the_same_experiment(provisioner, sagemaker):
    handle(provisioner, event("create"))
    request = event("create") | {"RequestType": "Update", "PhysicalResourceId": "churn-prediction-dev-pipeline"}
    request["OldResourceProperties"] = copy.deepcopy(request["ResourceProperties"])
    request["ResourceProperties"]["Tags"]["team"] = "retention"

    response = handle(provisioner, request)

    assert response["PhysicalResourceId"] == "churn-prediction-dev-pipeline"
    assert tags_of(sagemaker, "churn-prediction-dev-pipeline")["team"] == "retention"


def test_a_request_without_resource_properties_fails_with_a_clear_message(provisioner, sagemaker, monkeypatch):
    errors: list[str] = []
    monkeypatch.setattr(provisioner.logger, "error", errors.append)

    with pytest.raises(provisioner.InvalidRequest) as raised:
        handle(provisioner, event("create_without_properties"))

    message = str(raised.value)
    assert "0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f" in message  # the RequestId, to find it in the stack events
    assert "ResourceProperties is missing" in message
    assert experiment_names(sagemaker) == set()
    assert errors == [message]  # logged as an ERROR too, for the function's own log group


BAD_PROPERTIES = {
    "no-name": (lambda p: p.pop("ExperimentName"), "ResourceProperties.ExperimentName is missing"),
    "not-an-experiment-kind": (lambda p: p.update(Kind="analysis-trial"), "Kind 'analysis-trial' is not an experiment kind"),
    "required-tag-missing": (lambda p: p["Tags"].pop("mlmeta:kind"), "lacks the required tag 'mlmeta:kind'"),
    "tags-not-a-map": (lambda p: p.update(Tags=["mlmeta:kind"]), "Tags must be a map"),
    "non-compliant-name": (
        lambda p: p.update(ExperimentName="Churn-Prediction-dev-pipeline"),
        "'Churn-Prediction-dev-pipeline' is not a compliant pipeline-experiment name [uppercase]",
    ),
}


@pytest.mark.parametrize(("change", "expected"), BAD_PROPERTIES.values(), ids=BAD_PROPERTIES)
def test_a_bad_property_fails_naming_the_property_and_creates_nothing(provisioner, sagemaker, change, expected):
    request = event("create")
    change(request["ResourceProperties"])

    with pytest.raises(provisioner.InvalidRequest, match=re.escape(expected)):
        handle(provisioner, request)
    assert experiment_names(sagemaker) == set()


def test_an_unknown_request_type_fails(provisioner, sagemaker):
    with pytest.raises(provisioner.InvalidRequest, match="unknown RequestType 'Replace'"):
        handle(provisioner, event("create") | {"RequestType": "Replace"})


def test_names_are_checked_against_the_convention_the_stack_passed(provisioner, sagemaker):
    org = convention_from_dict({"environments": ["sandbox", "live"], "words": {"pipeline": "pl"}})
    request = provisioner.ExperimentRequest.from_event(event("create"))  # churn-prediction-dev-pipeline

    with pytest.raises(provisioner.InvalidRequest, match="not a compliant pipeline-experiment name"):
        provisioner.ensure_experiment(sagemaker, request, org)
    live = dataclasses.replace(request, name="churn-prediction-live-pl")
    assert provisioner.ensure_experiment(sagemaker, live, org).name == "churn-prediction-live-pl"


def test_the_module_reads_its_convention_from_the_environment(provisioner, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv(CONVENTION_ENV_VAR, json.dumps(DEFAULT_CONVENTION.to_dict() | {"environments": ["qa"]}))
    reloaded = importlib.reload(provisioner)
    try:
        assert reloaded.CONVENTION.environments == ("qa",)
    finally:
        monkeypatch.delenv(CONVENTION_ENV_VAR)
        importlib.reload(provisioner)


# SageMaker's own error shapes, where moto cannot produce them: botocore's Stubber.
def _stubbed(provisioner, code: str, message: str):
    client = boto3.client("sagemaker", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    stubber.add_client_error("create_experiment", service_error_code=code, service_message=message, http_status_code=400)
    return client, stubber


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ValidationException", "Experiment 'churn-prediction-dev-pipeline' already exists."),
        ("ResourceInUse", "Resource in use"),
    ],
)
def test_sagemakers_taken_name_answers_lead_to_adoption(provisioner, code, message):
    client, stubber = _stubbed(provisioner, code, message)
    arn = f"arn:aws:sagemaker:{REGION}:123456789012:experiment/churn-prediction-dev-pipeline"
    stubber.add_response("describe_experiment", {"ExperimentName": "churn-prediction-dev-pipeline", "ExperimentArn": arn},
                         {"ExperimentName": "churn-prediction-dev-pipeline"})
    stubber.add_response("add_tags", {}, None)
    request = provisioner.ExperimentRequest.from_event(event("create"))

    with stubber:
        provisioned = provisioner.ensure_experiment(client, request, DEFAULT_CONVENTION)

    assert (provisioned.arn, provisioned.adopted) == (arn, True)
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ValidationException", "1 validation error detected: Value at 'experimentName' failed to satisfy constraint"),
        ("AccessDeniedException", "not authorized to perform: sagemaker:CreateExperiment"),
        ("ThrottlingException", "Rate exceeded"),
    ],
)
def test_any_other_error_fails_the_request(provisioner, code, message):
    client, stubber = _stubbed(provisioner, code, message)
    request = provisioner.ExperimentRequest.from_event(event("create"))

    with stubber, pytest.raises(ClientError, match=code):
        provisioner.ensure_experiment(client, request, DEFAULT_CONVENTION)
