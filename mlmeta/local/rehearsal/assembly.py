"""A cloud assembly as ``cdk synth`` writes it (``cdk.out/<env>/``, cloud assembly schema): its stacks in
deployment order, each with its template, tags and file assets. JSON only, no aws_cdk: the rehearsal
reads what ``make synth`` wrote, or what it synthesized itself (``mlmeta.local.rehearsal.synth``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
STACK_ARTIFACT = "aws:cloudformation:stack"
ASSET_MANIFEST = "cdk:asset-manifest"


class AssemblyError(ValueError):
    """The directory holds no usable cloud assembly; the message says what is wrong."""


@dataclass(frozen=True)
class FileAsset:
    """A file asset and where ``cdk deploy`` publishes it (placeholders such as ``${AWS::AccountId}`` kept)."""

    asset_id: str
    source: Path
    packaging: str  # "zip": a directory zipped; "file": the file as it is
    bucket: str
    key: str


@dataclass(frozen=True)
class StackArtifact:
    name: str
    region: str
    template: Mapping[str, Any]
    tags: Mapping[str, str]
    depends_on: tuple[str, ...]  # other stacks of the assembly
    assets: tuple[FileAsset, ...]
    bootstrap_version_parameter: str | None  # the SSM parameter ``cdk deploy`` checks
    required_bootstrap_version: int | None

    @property
    def resource_types(self) -> dict[str, str]:
        """Logical id -> resource type."""
        return {logical_id: resource["Type"] for logical_id, resource in self.template.get("Resources", {}).items()}


def read_assembly(directory: Path) -> tuple[StackArtifact, ...]:
    """The stacks of the assembly in ``directory``, each after the stacks it depends on."""
    manifest = _json(directory / MANIFEST, f"no cloud assembly in {directory} ({MANIFEST} missing): run make synth, or omit --assembly")
    artifacts: Mapping[str, Any] = manifest.get("artifacts", {})
    stack_names = [name for name, artifact in artifacts.items() if artifact.get("type") == STACK_ARTIFACT]
    if not stack_names:
        raise AssemblyError(f"the cloud assembly in {directory} has no CloudFormation stack")
    stacks = {name: _stack(directory, name, artifacts) for name in stack_names}
    return tuple(stacks[name] for name in _deployment_order(stacks))


def _stack(directory: Path, name: str, artifacts: Mapping[str, Any]) -> StackArtifact:
    artifact = artifacts[name]
    properties = artifact.get("properties", {})
    template = _json(directory / properties["templateFile"], f"stack {name}: template {properties['templateFile']} missing from {directory}")
    dependencies = artifact.get("dependencies", [])
    assets: list[FileAsset] = []
    for dependency in dependencies:
        if artifacts.get(dependency, {}).get("type") == ASSET_MANIFEST:
            assets.extend(_file_assets(directory, name, artifacts[dependency]["properties"]["file"]))
    return StackArtifact(
        name=name,
        region=str(artifact.get("environment", "")).rsplit("/", 1)[-1],
        template=template,
        tags=dict(properties.get("tags", {})),
        depends_on=tuple(d for d in dependencies if artifacts.get(d, {}).get("type") == STACK_ARTIFACT),
        assets=tuple(assets),
        bootstrap_version_parameter=properties.get("bootstrapStackVersionSsmParameter"),
        required_bootstrap_version=properties.get("requiresBootstrapStackVersion"),
    )


def _file_assets(directory: Path, stack: str, manifest_file: str) -> list[FileAsset]:
    manifest = _json(directory / manifest_file, f"stack {stack}: asset manifest {manifest_file} missing from {directory}")
    if manifest.get("dockerImages"):
        # Publishing an image needs Docker, which the rehearsal does without (as the whole project does).
        raise AssemblyError(f"stack {stack} has Docker image assets; the rehearsal publishes file assets only")
    assets = []
    for asset_id, asset in manifest.get("files", {}).items():
        source = asset["source"]
        if "path" not in source:  # built by a command at publish time: nothing on disk to publish
            raise AssemblyError(f"stack {stack}: asset {asset_id} is built by a command; the rehearsal publishes files only")
        for destination in asset["destinations"].values():
            assets.append(FileAsset(asset_id, directory / source["path"], source.get("packaging", "file"),
                                    destination["bucketName"], destination["objectKey"]))
    return assets


def _deployment_order(stacks: Mapping[str, StackArtifact]) -> list[str]:
    """Each stack after its dependencies; otherwise in the manifest's order (which is the app's)."""
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            raise AssemblyError(f"the stacks depend on each other in a cycle through {name}")
        visiting.add(name)
        for dependency in stacks[name].depends_on:
            visit(dependency)
        visiting.discard(name)
        ordered.append(name)

    for name in stacks:
        visit(name)
    return ordered


def _json(path: Path, missing: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssemblyError(missing) from None
    except (OSError, ValueError) as err:
        raise AssemblyError(f"cannot read {path}: {err}") from None
