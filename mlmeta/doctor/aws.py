"""The AWS clients of one doctor run (one boto3 session, the environment's region) and how an AWS error
becomes one line."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from mlmeta.doctor.result import CheckResult, failed

# What IAM answers when the caller lacks a permission, across the services the doctor calls.
ACCESS_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation"})
PERMISSIONS_FIX = "give the caller the read permissions listed in docs/deploying.md ('Preflight: mlmeta doctor')"
AwsError = (ClientError, BotoCoreError)


class AwsClients:
    """``aws("ssm")``: a client of that service from the run's session, in its region, made once.
    ``aws("cloudtrail", region=...)``: the same session in another region (a trail answers some calls in
    its home region only). ``overrides`` replaces a service's client in every region (the tests hand in
    Stubber-wrapped clients for what moto does not implement)."""

    def __init__(self, session: Any, *, overrides: dict[str, Any] | None = None) -> None:
        self._session = session
        self._overrides = dict(overrides or {})
        self._clients: dict[tuple[str, str], Any] = {}

    @property
    def region(self) -> str:
        return self._session.region_name

    def __call__(self, service: str, *, region: str | None = None) -> Any:
        if service in self._overrides:
            return self._overrides[service]
        key = (service, region or self.region)
        if key not in self._clients:
            self._clients[key] = self._session.client(service, region_name=key[1])
        return self._clients[key]


def make_clients(region: str, profile: str | None = None) -> AwsClients:
    """Clients with boto3's default credential chain (or ``profile``) in ``region``."""
    import boto3  # imported here: the rest of the CLI starts without the AWS SDK

    return AwsClients(boto3.Session(region_name=region, profile_name=profile))


def error_code(err: Exception) -> str:
    return err.response.get("Error", {}).get("Code", "") if isinstance(err, ClientError) else ""


def error_text(err: Exception) -> str:
    """``GetRole: NoSuchEntity: The role with name x cannot be found.`` (one line)."""
    if isinstance(err, ClientError):
        message = err.response.get("Error", {}).get("Message", "") or str(err)
        return f"{err.operation_name}: {error_code(err)}: {message}".replace("\n", " ")
    return str(err).replace("\n", " ")


def fix_for(err: Exception) -> str:
    if error_code(err) in ACCESS_DENIED:
        return PERMISSIONS_FIX
    return "retry; if it fails again, the error above says what AWS refused"


def call_failed(check: str, err: Exception) -> CheckResult:
    """A check whose AWS call failed for a reason the check does not interpret (a permission, throttling)."""
    return failed(check, error_text(err), fix_for(err))
