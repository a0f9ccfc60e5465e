"""Deploying the environment's experiments into the emulator the way the experiments stack does: one
CloudFormation ``Create`` request per experiment of the config (``stacks/experiments/specs.py``), sent
to the stack's custom-resource handler (``lambdas/experiment_provisioner``), imported with the
environment the stack gives it and pointed at the emulator.

(The lake layout, the quarantine queue and the notices topic are created by ``mlmeta replay``'s engine,
``mlmeta.local.emulator.ensure_resources``.)
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from typing import Any, TextIO

from mlmeta.config import EnvironmentSettings
from mlmeta.local.checkout import checkout_module
from mlmeta.local.handler_loader import load_module
from mlmeta.local.emulator import LOCAL_ACCOUNT, emulator_environment
from mlmeta_contract.naming import CONVENTION_ENV_VAR
from mlmeta_contract.handlers import EXPERIMENT_PROVISIONER, SERVICE_NAME, service_name

PROVISIONER = "experiment_provisioner.handler"
RESOURCE_TYPE = "Custom::SageMakerExperiment"  # stacks/experiments/experiment.py (a construct: imports aws_cdk)
_REQUEST_NAMESPACE = uuid.UUID("0b8f3c52-9d41-4e7a-b6c2-51f0a7d3e9c4")


@dataclass(frozen=True)
class DeployedExperiment:
    name: str
    kind: str
    arn: str
    adopted: bool


@dataclass(frozen=True)
class _LambdaContext:
    """What Powertools reads from Lambda's context object."""

    function_name: str
    aws_request_id: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 256


def deploy_experiments(settings: EnvironmentSettings, endpoint: str, log_stream: TextIO) -> tuple[DeployedExperiment, ...]:
    """Create (or adopt) every experiment ``settings`` declares, through the custom-resource handler."""
    specs = checkout_module("stacks.experiments.specs").experiment_specs(settings)
    environment = {
        **emulator_environment(endpoint, settings.region),
        # As the stack sets it (stacks/experiments/provisioner.py).
        CONVENTION_ENV_VAR: settings.convention.to_json(),
        SERVICE_NAME: service_name(EXPERIMENT_PROVISIONER),
    }
    stack_id = f"arn:aws:cloudformation:{settings.region}:{LOCAL_ACCOUNT}:stack/{settings.stack_name('experiments')}/demo"
    function = f"{settings.stack_name('experiments')}-provisioner"
    deployed = []
    # Powertools binds its log handler to sys.stdout at import: keep the demo's stdout for its report.
    with contextlib.redirect_stdout(log_stream):
        handler = load_module(PROVISIONER, environment)
        for spec in specs:
            request_id = str(uuid.uuid5(_REQUEST_NAMESPACE, spec.name))
            request = {
                "RequestType": "Create",
                "RequestId": request_id,
                "StackId": stack_id,
                "LogicalResourceId": f"{spec.scope_id}{spec.construct_id}",
                "ResourceType": RESOURCE_TYPE,
                "ResourceProperties": {"ExperimentName": spec.name, "Kind": spec.kind, "Description": spec.description,
                                       "Tags": dict(spec.tags)},
            }
            context = _LambdaContext(function, request_id, f"arn:aws:lambda:{settings.region}:{LOCAL_ACCOUNT}:function:{function}")
            answer: dict[str, Any] = handler.lambda_handler(request, context)
            data = answer["Data"]
            deployed.append(DeployedExperiment(spec.name, spec.kind, data["ExperimentArn"], data["Adopted"] == "true"))
    return tuple(deployed)
