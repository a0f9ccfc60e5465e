"""The SageMaker Pipeline resource and its model package group.

The definition is built by the SDK at synth (stacks.pipeline.definition) with ``${Name}`` references
where deploy-time values go (the role, the buckets), and CloudFormation fills them in with
``Fn::Sub``: the template holds the whole definition, readable in review, and the deployed pipeline
gets concrete ARNs and S3 URLs. ``${AWS::Partition}``/``${AWS::AccountId}``/``${AWS::Region}`` are
allowed too; any other ``${...}`` fails the synth (Fn::Sub would fail the deploy instead).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from aws_cdk import Fn, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

PSEUDO_PARAMETERS = frozenset({"AWS::Partition", "AWS::AccountId", "AWS::Region"})
_REFERENCE = re.compile(r"\$\{([^}]*)\}")


class DefinitionReferenceError(ValueError):
    """The definition refers to a ``${...}`` that the stack does not provide."""


def check_references(definition: str, variables: Mapping[str, object]) -> None:
    unknown = sorted({name for name in _REFERENCE.findall(definition)} - set(variables) - PSEUDO_PARAMETERS)
    if unknown:
        raise DefinitionReferenceError(f"the pipeline definition refers to ${{{unknown[0]}}}, which the stack does not provide")
    missing = sorted(set(variables) - set(_REFERENCE.findall(definition)))
    if missing:
        raise DefinitionReferenceError(f"the stack provides ${{{missing[0]}}}, which the pipeline definition never uses")


class SageMakerPipeline(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline_name: str,
        description: str,
        definition: str,
        variables: Mapping[str, str],
        role: iam.IRole,
        role_policy: iam.Policy,
        model_package_group_name: str,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        check_references(definition, variables)
        self.model_package_group = sagemaker.CfnModelPackageGroup(
            self,
            "ModelPackageGroup",
            model_package_group_name=model_package_group_name,
            model_package_group_description=f"Models registered by pipeline {pipeline_name}",
        )
        # Model packages live in the group: a group with data stays when retain_data says so.
        self.model_package_group.apply_removal_policy(removal_policy)
        self.pipeline = sagemaker.CfnPipeline(
            self,
            "Pipeline",
            pipeline_name=pipeline_name,
            pipeline_description=description,
            pipeline_definition={"PipelineDefinitionBody": Fn.sub(definition, dict(variables))},
            role_arn=role.role_arn,
        )
        # The role's permissions are in place before anything can start an execution.
        self.pipeline.node.add_dependency(role_policy)
        self.pipeline.node.add_dependency(self.model_package_group)
        self.pipeline_name = pipeline_name
        self.pipeline_arn = Stack.of(self).format_arn(service="sagemaker", resource="pipeline", resource_name=pipeline_name)
