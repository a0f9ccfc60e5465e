"""Build and synthesize the mlmeta app exactly as ``app.py`` does (``create_app`` + ``build``, so cdk-nag runs)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_cdk import Stack
from aws_cdk.assertions import Template
from aws_cdk.cx_api import CloudAssembly, CloudFormationStackArtifact

from mlmeta.config import EnvironmentSettings
from mlmeta.queries.catalog import NamedQuery
from stacks.mlmeta_app import MlmetaStacks, build, create_app


@dataclass
class SynthesizedApp:
    settings: EnvironmentSettings
    stacks: MlmetaStacks
    assembly: CloudAssembly
    queries: Sequence[NamedQuery]
    _templates: dict[str, Template] = field(default_factory=dict)

    def template(self, stack: Stack) -> Template:
        if stack.stack_name not in self._templates:
            self._templates[stack.stack_name] = Template.from_stack(stack)
        return self._templates[stack.stack_name]

    def template_json(self, stack: Stack) -> dict[str, Any]:
        return self.artifact(stack).template

    def artifact(self, stack: Stack) -> CloudFormationStackArtifact:
        return self.assembly.get_stack_by_name(stack.stack_name)

    def resources(self, stack: Stack, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.template_json(stack)["Resources"].items() if v["Type"] == resource_type}

    @property
    def validation_report(self) -> dict[str, Any]:
        return json.loads((Path(self.assembly.directory) / "validation-report.json").read_text())


def synthesize(settings: EnvironmentSettings, queries: Sequence[NamedQuery], outdir: Path) -> SynthesizedApp:
    app = create_app(outdir=str(outdir))
    stacks = build(app, settings, queries)
    return SynthesizedApp(settings=settings, stacks=stacks, assembly=app.synth(), queries=queries)
