"""An EventBridge Scheduler schedule that starts the pipeline, with a role that can do only that.

The target is Scheduler's templated SageMaker target (the pipeline's ARN with
``SageMakerPipelineParameters``): Scheduler calls StartPipelineExecution with the pipeline's default
parameters. Retries are bounded, so a failing start is given up after an hour, not retried forever.
"""

from __future__ import annotations

import re

from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from stacks.common.iam import account_service_principal

# What EventBridge Scheduler accepts: at(...), rate(...) or cron(...) with six fields.
_EXPRESSION = re.compile(r"(at\([^)]+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\((\S+ ){5}\S+\))")
MAXIMUM_RETRY_ATTEMPTS = 3
MAXIMUM_EVENT_AGE_SECONDS = 3600


class ScheduleExpressionError(ValueError):
    """The configured schedule is not an EventBridge Scheduler expression."""


def check_expression(expression: str, *, source: str) -> str:
    if not _EXPRESSION.fullmatch(expression):
        raise ScheduleExpressionError(
            f"{source}: schedule {expression!r} is not an EventBridge Scheduler expression "
            "(rate(7 days), cron(0 18 ? * SUN *) or at(2026-12-01T00:00:00))"
        )
    return expression


class PipelineSchedule(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        schedule_name: str,
        expression: str,
        pipeline_name: str,
        pipeline_arn: str,
        source: str,
    ) -> None:
        super().__init__(scope, construct_id)
        check_expression(expression, source=source)
        self.role = iam.Role(
            self,
            "Role",
            description=f"EventBridge Scheduler: start pipeline {pipeline_name}",
            assumed_by=account_service_principal("scheduler.amazonaws.com"),
        )
        policy = iam.Policy(
            self,
            "Policy",
            roles=[self.role],
            statements=[
                iam.PolicyStatement(sid="StartPipeline", actions=["sagemaker:StartPipelineExecution"], resources=[pipeline_arn])
            ],
        )
        self.schedule = scheduler.CfnSchedule(
            self,
            "Schedule",
            name=schedule_name,
            description=f"Starts SageMaker pipeline {pipeline_name}",
            schedule_expression=expression,
            schedule_expression_timezone="UTC",
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            state="ENABLED",
            target=scheduler.CfnSchedule.TargetProperty(
                arn=pipeline_arn,
                role_arn=self.role.role_arn,
                sage_maker_pipeline_parameters=scheduler.CfnSchedule.SageMakerPipelineParametersProperty(),
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_retry_attempts=MAXIMUM_RETRY_ATTEMPTS, maximum_event_age_in_seconds=MAXIMUM_EVENT_AGE_SECONDS
                ),
            ),
        )
        self.schedule.node.add_dependency(policy)
