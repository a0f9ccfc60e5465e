"""Pre-deploy: the credentials work (sts GetCallerIdentity) and are of the environment's account."""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import NoCredentialsError

from mlmeta.config import EnvironmentSettings
from mlmeta.doctor.aws import AwsClients, AwsError, error_text
from mlmeta.doctor.result import CheckResult, failed, passed

CHECK = "credentials"
CONFIGURE = "configure AWS credentials (aws configure, AWS_PROFILE, aws sso login, or --profile NAME)"


@dataclass(frozen=True)
class Identity:
    result: CheckResult
    # None when the check failed: the other checks would only repeat its error.
    account: str | None


def check_credentials(aws: AwsClients, settings: EnvironmentSettings) -> Identity:
    try:
        caller = aws("sts").get_caller_identity()
    except NoCredentialsError:
        return Identity(failed(CHECK, "no AWS credentials found", CONFIGURE), None)
    except AwsError as err:
        return Identity(failed(CHECK, f"the credentials do not work: {error_text(err)}", f"renew them: {CONFIGURE}"), None)
    account, arn = caller["Account"], caller["Arn"]
    if settings.account is not None and account != settings.account:
        return Identity(
            failed(
                CHECK,
                f"{arn} is in account {account}, but environment {settings.name} deploys to account {settings.account}",
                f"use credentials of account {settings.account} (e.g. AWS_PROFILE=<its profile>)",
            ),
            None,
        )
    where = "the configured account" if settings.account else "the environment names no account: it deploys here"
    return Identity(passed(CHECK, f"{arn} in account {account} ({where})"), account)
