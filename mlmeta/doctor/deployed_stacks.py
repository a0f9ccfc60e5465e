"""Post-deploy: every stack of the environment exists in CloudFormation with a *_COMPLETE status (not a
rollback, not failed, not in progress)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmeta.config import EnvironmentSettings
from mlmeta.doctor.cloudformation import find_stack, is_complete
from mlmeta.doctor.context import DoctorContext
from mlmeta.doctor.result import CheckResult, failed, passed


def expected_stack_names(settings: EnvironmentSettings) -> tuple[str, ...]:
    """The stacks ``stacks.mlmeta_app.build`` adds for ``settings`` (a test compares the two), in deploy order."""
    pipelines = tuple(f"pipeline-{use_case.name}" for use_case in settings.use_cases)
    # The tracking stack only where the environment provisions an MLflow server.
    tracking = ("tracking",) if settings.provisions_mlflow else ()
    return tuple(
        settings.stack_name(c) for c in ("lake", *tracking, "experiments", *pipelines, "events", "compaction", "monitoring")
    )


@dataclass(frozen=True)
class Deployment:
    """Each expected stack by name: its DescribeStacks entry, or None when it is not deployed."""

    stacks: dict[str, dict[str, Any] | None]

    @property
    def anything_deployed(self) -> bool:
        return any(stack is not None for stack in self.stacks.values())


def find_deployment(ctx: DoctorContext) -> Deployment:
    cloudformation = ctx.aws("cloudformation")
    return Deployment({name: find_stack(cloudformation, name) for name in expected_stack_names(ctx.settings)})


def deploy_command(settings: EnvironmentSettings) -> str:
    return f"make deploy ENV={settings.name}"


def check_stacks(ctx: DoctorContext, deployment: Deployment) -> list[CheckResult]:
    return [_check_stack(ctx.settings, name, stack) for name, stack in deployment.stacks.items()]


def _check_stack(settings: EnvironmentSettings, name: str, stack: dict[str, Any] | None) -> CheckResult:
    check = f"stack {name}"
    if stack is None:
        return failed(check, "not deployed", deploy_command(settings))
    status = stack["StackStatus"]
    if is_complete(status):
        return passed(check, status)
    reason = f" ({stack['StackStatusReason']})" if stack.get("StackStatusReason") else ""
    events = f"aws cloudformation describe-stack-events --stack-name {name}"
    if status.endswith("_IN_PROGRESS"):
        return failed(check, f"{status}{reason}", f"wait for it to finish, then run the doctor again ({events})")
    if status == "ROLLBACK_COMPLETE":
        return failed(
            check,
            f"{status}{reason}: its creation failed",
            f"read why in {events}, delete the stack (it cannot be updated in this state), fix, then {deploy_command(settings)}",
        )
    return failed(check, f"{status}{reason}: its last change failed", f"read why in {events}, fix, then {deploy_command(settings)}")
