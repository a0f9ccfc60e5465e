"""A deploy rehearsal end to end: an embedded AWS, the assembly's stacks deployed into it through
CloudFormation, the deployed environment read back, and a replayer that runs events against it."""

from __future__ import annotations

import urllib.request

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from mlmeta_contract.resources import resource_name
from mlmeta.config import EnvironmentSettings
from mlmeta.local.deployment import Deployment
from mlmeta.local.emulator import LOCAL_ACCOUNT, clients, embedded_moto
from mlmeta.local.replay import Replayer
from mlmeta.local.rehearsal.assembly import AssemblyError, StackArtifact, read_assembly
from mlmeta.local.rehearsal.deploy import DeployedAssembly, deploy_assembly
from mlmeta.local.rehearsal.deployed import DeploymentError, WiringCheck, read_deployment

SERVICES = ("cloudformation", "s3", "ssm", "lambda", "events", "sqs", "sns", "sagemaker")


@dataclass(frozen=True)
class RehearsedEnvironment:
    settings: EnvironmentSettings
    endpoint: str
    deployed: DeployedAssembly
    deployment: Deployment | None  # None: nothing to replay against (``problem`` says why)
    wiring: tuple[WiringCheck, ...]
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.deployed.complete and self.deployment is not None and all(check.ok for check in self.wiring)

    def replayer(self, log_stream: TextIO | None = None) -> Replayer:
        if self.deployment is None:
            raise DeploymentError(self.problem or "nothing was deployed to replay against")
        return Replayer(self.settings, self.endpoint, log_stream=log_stream, deployment=self.deployment)


@contextmanager
def rehearsed(settings: EnvironmentSettings, assembly: Path, log_stream: TextIO) -> Iterator[RehearsedEnvironment]:
    """Deploy the stacks of ``assembly`` (a cloud assembly of ``settings``' environment) into an embedded
    moto server for the duration of the block. The handlers' and providers' logs go to ``log_stream``."""
    stacks = read_assembly(assembly)
    _check_environment(stacks, settings, assembly)
    with embedded_moto() as endpoint:
        # moto's state is the process's, not the server's: a rehearsal starts from an empty account.
        _reset(endpoint)
        aws = clients(endpoint, settings.region, *SERVICES)
        deployed = deploy_assembly(stacks, aws, endpoint, settings.region, LOCAL_ACCOUNT, log_stream)
        try:
            deployment, wiring = read_deployment(aws, settings)
        except DeploymentError as err:
            yield RehearsedEnvironment(settings, endpoint, deployed, None, (), str(err))
        else:
            yield RehearsedEnvironment(settings, endpoint, deployed, deployment, wiring)


def _reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the embedded server's URL
        response.read()


def _check_environment(stacks: tuple[StackArtifact, ...], settings: EnvironmentSettings, assembly: Path) -> None:
    prefix = resource_name(settings.name) + "-"
    foreign = [stack.name for stack in stacks if not stack.name.startswith(prefix) or stack.region != settings.region]
    if foreign:
        raise AssemblyError(f"the assembly in {assembly} is not of environment {settings.name} ({settings.region}): "
                            f"{', '.join(foreign)}; synthesize it with -c env={settings.name}")
