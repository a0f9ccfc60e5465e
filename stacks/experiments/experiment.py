"""One SageMaker experiment as a CloudFormation custom resource (``Custom::SageMakerExperiment``).

Stateful: DeletionPolicy and UpdateReplacePolicy are Retain, and the handler keeps experiments on
Delete anyway. The name is checked against the convention before the resource exists.
"""

from __future__ import annotations

from aws_cdk import CustomResource, RemovalPolicy
from constructs import Construct

from mlmeta_contract.naming import NamingConvention
from stacks.experiments.specs import ExperimentSpec
from stacks.common.compliant_names import require_compliant

RESOURCE_TYPE = "Custom::SageMakerExperiment"


class SageMakerExperiment(CustomResource):
    """``experiment_name`` is known at synth; ``experiment_arn`` is the handler's answer."""

    experiment_name: str
    experiment_arn: str

    def __init__(
        self, scope: Construct, construct_id: str, *, spec: ExperimentSpec, service_token: str, convention: NamingConvention
    ) -> None:
        require_compliant(spec.kind, spec.name, convention=convention, source=f"experiment {construct_id!r} of {spec.scope_id!r}")
        super().__init__(
            scope,
            construct_id,
            service_token=service_token,
            resource_type=RESOURCE_TYPE,
            properties={
                "ExperimentName": spec.name,
                "Kind": spec.kind,
                "Description": spec.description,
                "Tags": dict(spec.tags),
            },
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.experiment_name = spec.name
        self.experiment_arn = self.get_att_string("ExperimentArn")
