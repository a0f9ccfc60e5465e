"""One event handler (``mlmeta.events.handlers.HandlerSpec``) as a Lambda function: its code, its
environment, its permissions, and what happens when an invocation fails.

EventBridge invokes asynchronously. A handler that raises (a transient AWS error, a trial that never
appeared) is retried by Lambda ``INVOKE_RETRY_ATTEMPTS`` times, then the event, with the error, goes to the
on-failure destination queue; events older than ``INVOKE_MAX_EVENT_AGE`` in Lambda's own queue go there too.
Nothing is dropped silently.

No reserved concurrency: reserving takes capacity from the account's unreserved pool, which Lambda keeps
at a minimum (100 at the default quota), so in a new or small account the deploy would fail. The
handlers are idempotent, so parallel invocations are harmless.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from mlmeta.events.handlers import RECONCILER, HandlerSpec
from stacks.events.permissions import HandlerAccess, handler_statements
from stacks.common.iam import acknowledge_wildcards
from stacks.common.python_lambda import PythonLambda
from stacks.common.retries import INVOKE_MAX_EVENT_AGE, INVOKE_RETRY_ATTEMPTS

# What every event handler imports besides its own package and mlmeta_contract/, which every asset ships
# (docs/handlers.md, "Code layout and packaging"); tests/infrastructure/test_events_lambda_assets.py checks
# that every import resolves inside the asset.
RUNTIME_PACKAGE = "mlmeta_runtime"
# The reconciler reuses the snapshotter's and the naming guard's code.
EXTRA_PACKAGES: Mapping[str, tuple[str, ...]] = {RECONCILER.name: ("snapshotter", "naming_guard")}



def code_packages(spec: HandlerSpec) -> tuple[str, ...]:
    """The ``lambdas/`` packages of ``spec``'s asset besides its own."""
    return (*EXTRA_PACKAGES.get(spec.name, ()), RUNTIME_PACKAGE)


class EventHandlerFunction(Construct):
    """``Handler`` (a PythonLambda), its async invoke settings and ``Permissions`` (an IAM policy)."""

    function: lambda_.Function
    role: iam.Role
    policy: iam.Policy

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: HandlerSpec,
        environment: Mapping[str, str],
        access: HandlerAccess,
        failure_queue: sqs.IQueue,
        log_retention_days: int,
        log_removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        handler = PythonLambda(
            self,
            "Handler",
            handler=spec.package,
            entry=f"{spec.module}:{spec.function}",
            description=spec.description,
            service=spec.service,
            log_retention_days=log_retention_days,
            log_removal_policy=log_removal_policy,
            environment=environment,
            packages=code_packages(spec),
            timeout=Duration.seconds(spec.timeout_seconds),
            memory_size=spec.memory_mb,
        )
        self.function = handler.function
        self.role = handler.role
        self.function.configure_async_invoke(
            retry_attempts=INVOKE_RETRY_ATTEMPTS,
            max_event_age=INVOKE_MAX_EVENT_AGE,
            on_failure=destinations.SqsDestination(failure_queue),
        )
        statements = handler_statements(spec, access)
        self.policy = iam.Policy(self, "Permissions", statements=[s.statement for s in statements], roles=[self.role])
        acknowledge_wildcards(self.policy, statements, access.nag_external_references)
