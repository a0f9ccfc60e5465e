"""What every check gets: the environment's settings, the AWS clients, the caller's account."""

from __future__ import annotations

from dataclasses import dataclass

from mlmeta.config import EnvironmentSettings
from mlmeta.doctor.aws import AwsClients


@dataclass(frozen=True)
class DoctorContext:
    settings: EnvironmentSettings
    aws: AwsClients
    # The account of the credentials (sts GetCallerIdentity): where `cdk deploy` would deploy.
    account: str

    @property
    def region(self) -> str:
        return self.settings.region
