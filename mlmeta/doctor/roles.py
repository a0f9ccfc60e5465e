"""Pre-deploy: every role in ``data_scientist_role_names`` exists (iam GetRole): the experiments stack
attaches the naming guardrail policy to each, and CloudFormation fails on a role that is not there."""

from __future__ import annotations

from mlmeta.doctor.aws import AwsError, call_failed, error_code
from mlmeta.doctor.context import DoctorContext
from mlmeta.doctor.result import CheckResult, failed, passed

CHECK = "data-scientist roles"
CONFIG_FILE = "mlmeta/config/environments.py"


def check_roles(ctx: DoctorContext) -> list[CheckResult]:
    names = ctx.settings.data_scientist_role_names
    if not names:
        return [passed(CHECK, "none configured (data_scientist_role_names is empty): the guardrail policy is attached to no role")]
    return [_check_role(ctx, name) for name in names]


def _check_role(ctx: DoctorContext, name: str) -> CheckResult:
    check = f"data-scientist role {name}"
    try:
        role = ctx.aws("iam").get_role(RoleName=name)["Role"]
    except AwsError as err:
        if error_code(err) != "NoSuchEntity":
            return call_failed(check, err)
        return failed(
            check,
            f"no IAM role {name} in account {ctx.account}",
            f"create it, or remove it from data_scientist_role_names in {CONFIG_FILE} (names are case-sensitive; no path)",
        )
    return passed(check, role["Arn"])
