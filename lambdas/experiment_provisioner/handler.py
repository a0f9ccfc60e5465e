"""Custom resource for a SageMaker Experiment (CloudFormation has no Experiment type): the onEvent
handler of a CDK Provider framework.

- Create / Update: create the experiment, or adopt the existing one of that name, then tag it. An
  Update that renames the experiment creates the new one and keeps the old.
- Delete: keep the experiment. Experiments hold the history of every run; nothing is ever deleted
  automatically (remove one by hand if you really mean it).

ResourceProperties: ``ExperimentName``; ``Kind``, an experiment kind of the naming convention
(``pipeline-experiment`` | ``eda-experiment``); ``Tags``, a map holding the required ``mlmeta:*`` tags;
optional ``Description`` (used only when the experiment is created). PhysicalResourceId is the
experiment name. The handler checks the name against the convention in ``$MLMETA_NAMING_CONVENTION``
and tags the verdict as ``mlmeta:naming``.

Raising fails the CloudFormation operation with the exception's message (the framework reports it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

from mlmeta_contract.naming import RESOURCE_TYPES, NamingConvention, resolve_convention, validate
from mlmeta_contract.naming.tags import REQUIRED_TAGS, TAG_NAMING

logger = Logger()
# Module level: created once per execution environment, reused by every invocation.
sagemaker = boto3.client("sagemaker")
CONVENTION = resolve_convention()

EXPERIMENT_KINDS = tuple(kind for kind, resource_type in RESOURCE_TYPES.items() if resource_type == "experiment")
# SageMaker answers CreateExperiment for a taken name with ValidationException "... already exists"
# (ValidationException alone also means other things, hence the message check); ResourceInUse is unambiguous.
_VALIDATION = "ValidationException"
_RESOURCE_IN_USE = "ResourceInUse"


class InvalidRequest(ValueError):
    """The custom resource request cannot be served as sent; the message says which field is wrong."""


@dataclass(frozen=True)
class ExperimentRequest:
    """A Create or Update request, parsed and checked."""

    request_type: str
    name: str
    kind: str
    tags: Mapping[str, str]
    description: str = ""
    previous_name: str | None = None  # the name before an Update

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> ExperimentRequest:
        where = f"request {event.get('RequestId', '<no RequestId>')} ({event.get('LogicalResourceId', '?')})"
        properties = event.get("ResourceProperties")
        if not isinstance(properties, Mapping):
            raise InvalidRequest(f"{where}: ResourceProperties is missing or not an object")
        kind = _text(properties, "Kind", where)
        if kind not in EXPERIMENT_KINDS:
            raise InvalidRequest(f"{where}: Kind {kind!r} is not an experiment kind; expected one of {', '.join(EXPERIMENT_KINDS)}")
        old = event.get("OldResourceProperties")
        return cls(
            request_type=str(event["RequestType"]),
            name=_text(properties, "ExperimentName", where),
            kind=kind,
            tags=_tags(properties, where),
            description=str(properties.get("Description", "")),
            previous_name=old.get("ExperimentName") if isinstance(old, Mapping) else None,
        )


@dataclass(frozen=True)
class Provisioned:
    name: str
    arn: str
    adopted: bool  # it existed before this request

    def response(self) -> dict[str, Any]:
        return {
            "PhysicalResourceId": self.name,
            "Data": {"ExperimentName": self.name, "ExperimentArn": self.arn, "Adopted": str(self.adopted).lower()},
        }


def ensure_experiment(client: Any, request: ExperimentRequest, convention: NamingConvention) -> Provisioned:
    """Create the experiment or adopt the existing one, then (re)apply its tags. Idempotent."""
    verdict = validate(request.kind, request.name, convention)
    if not verdict.compliant:
        raise InvalidRequest(
            f"ExperimentName {request.name!r} is not a compliant {request.kind} name [{verdict.rule}]: {verdict.reason}"
        )
    tags = [{"Key": key, "Value": value} for key, value in {**request.tags, TAG_NAMING: verdict.verdict}.items()]
    create: dict[str, Any] = {"ExperimentName": request.name, "Tags": tags}
    if request.description:
        create["Description"] = request.description
    try:
        arn, adopted = client.create_experiment(**create)["ExperimentArn"], False
    except ClientError as err:
        if not _already_exists(err):
            raise
        arn, adopted = client.describe_experiment(ExperimentName=request.name)["ExperimentArn"], True
    # Always: an adopted experiment lacks our tags, and CreateExperiment's Tags are not applied by every
    # implementation (moto drops them). AddTags overwrites keys, so a replay changes nothing.
    client.add_tags(ResourceArn=arn, Tags=tags)
    return Provisioned(request.name, arn, adopted)


@logger.inject_lambda_context(log_event=False, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request_type = event.get("RequestType")
    logger.append_keys(request_type=request_type, logical_resource_id=event.get("LogicalResourceId"))
    if request_type == "Delete":
        return _keep(event)
    try:
        if request_type not in ("Create", "Update"):
            raise InvalidRequest(f"request {event.get('RequestId', '<no RequestId>')}: unknown RequestType {request_type!r}")
        request = ExperimentRequest.from_event(event)
        provisioned = ensure_experiment(sagemaker, request, CONVENTION)
    except InvalidRequest as err:
        # Not retried: the same request would fail the same way. The framework reports the message to CloudFormation.
        logger.error(str(err))
        raise
    logger.info(
        "experiment adopted" if provisioned.adopted else "experiment created",
        extra={"experiment_name": provisioned.name, "experiment_arn": provisioned.arn},
    )
    if request.previous_name and request.previous_name != request.name:
        logger.info("experiment renamed: the previous one is kept", extra={"previous_experiment_name": request.previous_name})
    return provisioned.response()


def _keep(event: Mapping[str, Any]) -> dict[str, Any]:
    """Delete: nothing to do, so it never fails (a failing Delete would block the stack)."""
    physical_id = event.get("PhysicalResourceId")
    logger.info("experiment kept: experiments are never deleted automatically", extra={"experiment_name": physical_id})
    return {"PhysicalResourceId": physical_id} if physical_id else {}


def _already_exists(err: ClientError) -> bool:
    error = err.response.get("Error", {})
    code, message = error.get("Code"), str(error.get("Message", "")).lower()
    return code == _RESOURCE_IN_USE or (code == _VALIDATION and "already exists" in message)


def _text(properties: Mapping[str, Any], key: str, where: str) -> str:
    value = properties.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidRequest(f"{where}: ResourceProperties.{key} is missing or empty")
    return value


def _tags(properties: Mapping[str, Any], where: str) -> dict[str, str]:
    tags = properties.get("Tags")
    if not isinstance(tags, Mapping) or not all(isinstance(v, str) for v in tags.values()):
        raise InvalidRequest(f"{where}: ResourceProperties.Tags must be a map of tag key to string value")
    missing = [key for key in REQUIRED_TAGS if not tags.get(key)]
    if missing:
        raise InvalidRequest(f"{where}: ResourceProperties.Tags lacks the required tag {missing[0]!r}")
    return dict(tags)
