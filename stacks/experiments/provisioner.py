"""The custom-resource provider behind every SageMaker experiment of the stack: the onEvent handler
(``lambdas/experiment_provisioner``) behind a CDK Provider framework, each with its own log group.

The handler may create, describe and tag exactly the experiments this stack provisions, by ARN.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import custom_resources as cr
from constructs import Construct

from mlmeta_contract.handlers import EXPERIMENT_PROVISIONER, service_name
from mlmeta_contract.naming import CONVENTION_ENV_VAR, NamingConvention
from stacks.common import nag
from stacks.common.python_lambda import PythonLambda, accept_role_dependency, grant_log_writes, log_group

HANDLER = "experiment_provisioner"
HANDLER_ACTIONS = ("sagemaker:CreateExperiment", "sagemaker:DescribeExperiment", "sagemaker:AddTags")

_FRAMEWORK_INVOKE_REASON = (
    "The Provider framework may invoke any version of its own onEvent handler, so CDK grants "
    "lambda:InvokeFunction on the handler's ARN and ARN:*; nothing else"
)


class ExperimentProvisioner(Construct):
    """``service_token`` is what each experiment custom resource points at."""

    service_token: str
    handler: PythonLambda

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        experiment_names: Sequence[str],
        convention: NamingConvention,
        log_retention_days: int,
        log_removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        if not experiment_names:
            raise ValueError("an experiment provisioner needs at least one experiment name to scope its role to")
        self.handler = PythonLambda(
            self,
            "Handler",
            handler=HANDLER,
            entry="handler:lambda_handler",
            description="mlmeta: creates or adopts SageMaker experiments and tags them (custom resource)",
            service=service_name(EXPERIMENT_PROVISIONER),
            log_retention_days=log_retention_days,
            log_removal_policy=log_removal_policy,
            # The convention in force at synth, so the handler checks names by the same rules.
            environment={CONVENTION_ENV_VAR: convention.to_json()},
        )
        stack = Stack.of(self)
        self.handler.role.add_to_policy(
            iam.PolicyStatement(
                actions=list(HANDLER_ACTIONS),
                resources=[
                    stack.format_arn(service="sagemaker", resource="experiment", resource_name=name)
                    for name in experiment_names
                ],
            )
        )

        framework_logs = log_group(
            self, "ProviderLogs", retention_days=log_retention_days, removal_policy=log_removal_policy
        )
        framework_role = iam.Role(
            self,
            "ProviderRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="mlmeta: the custom-resource framework that relays CloudFormation requests to the experiment provisioner",
        )
        grant_log_writes(framework_logs, framework_role)
        provider = cr.Provider(
            self,
            "Provider",
            on_event_handler=self.handler.function,
            log_group=framework_logs,
            framework_on_event_role=framework_role,
        )
        handler_logical_id = stack.resolve(stack.get_logical_id(self.handler.function.node.default_child))
        nag.suppress(
            framework_role.node.find_child("DefaultPolicy"),
            f"AwsSolutions-IAM5[Resource::<{handler_logical_id}.Arn>:*]",
            _FRAMEWORK_INVOKE_REASON,
        )
        accept_role_dependency(provider.node.find_child("framework-onEvent"))
        self.service_token = provider.service_token
