"""Reading a synthesized pipeline stack: its resources and the definition inside AWS::SageMaker::Pipeline."""

from __future__ import annotations

import json
import re
from typing import Any

from aws_cdk import Stack

EXAMPLE_EXECUTION_ID = "p4jn9xou8a8s"


def pipeline_stack(env_app) -> Stack:
    (stack,) = env_app.stacks.pipelines
    return stack


def single(env_app, resource_type: str) -> tuple[str, dict[str, Any]]:
    (item,) = env_app.resources(pipeline_stack(env_app), resource_type).items()
    return item


def definition_source(env_app) -> tuple[str, dict[str, Any]]:
    """(definition with ${...} references, the Fn::Sub variables) of the stack's pipeline."""
    _, pipeline = single(env_app, "AWS::SageMaker::Pipeline")
    text, variables = pipeline["Properties"]["PipelineDefinition"]["PipelineDefinitionBody"]["Fn::Sub"]
    return text, variables


def definition(env_app) -> dict[str, Any]:
    return json.loads(definition_source(env_app)[0])


def steps(env_app) -> dict[str, dict[str, Any]]:
    """Every step by name, the condition's branches included."""
    found = {}
    pending = list(definition(env_app)["Steps"])
    while pending:
        step = pending.pop(0)
        found[step["Name"]] = step
        if step["Type"] == "Condition":
            pending += step["Arguments"]["IfSteps"] + step["Arguments"]["ElseSteps"]
    return found


def step_references(step: dict[str, Any]) -> set[str]:
    """Names of the steps whose properties ``step`` reads ({"Get": "Steps.<name>..."}); a condition's
    branches are steps of their own, not part of what the condition reads."""
    arguments = {k: v for k, v in step.get("Arguments", {}).items() if k not in ("IfSteps", "ElseSteps")}
    return set(re.findall(r'"Steps\.([A-Za-z0-9-]+)[.\[]', json.dumps(arguments)))


def substitute(text: str, values: dict[str, str]) -> str:
    """What CloudFormation's Fn::Sub does with the definition, given values for every reference."""
    return re.sub(r"\$\{([^}]+)\}", lambda m: values[m.group(1)], text)


def run_time_name(join: dict[str, Any], execution_id: str = EXAMPLE_EXECUTION_ID) -> str:
    """Evaluate a Std:Join of literals and Execution.PipelineExecutionId, as Pipelines will."""
    spec = join["Std:Join"]
    parts = [execution_id if value == {"Get": "Execution.PipelineExecutionId"} else value for value in spec["Values"]]
    assert all(isinstance(part, str) for part in parts), parts
    return spec["On"].join(parts)
