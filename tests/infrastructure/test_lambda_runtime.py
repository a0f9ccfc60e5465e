"""One Python for Lambda and the tests, and no guessed layer version anywhere (docs/deploying.md).

Every Python function of every stack runs the runtime of the interpreter that runs these tests (the
handler tests run in the same session, on the same interpreter); every layer is a reference to AWS's
public SSM parameter for the versions the test venv installs, resolved by CloudFormation at deploy time.
"""

from __future__ import annotations

import json
import re
import sys
from importlib.metadata import version

from cfn_values import SSM_PARAMETER_TYPE, layer_parameters, this_python

from mlmeta.config import lambda_runtime

# A layer version ARN written into a template: arn:aws:lambda:<region>:<account>:layer:<name>:<version>.
LITERAL_LAYER_ARN = re.compile(r"arn:[^\"]*:lambda:[^\"]*:layer:[^\"]*:\d+")


def python_functions(env_app) -> dict[str, dict]:
    found = {}
    for stack in env_app.stacks.all():
        for logical_id, resource in env_app.resources(stack, "AWS::Lambda::Function").items():
            if resource["Properties"].get("Runtime", "").startswith("python"):
                found[f"{stack.stack_name}/{logical_id}"] = resource["Properties"]
    return found


def test_the_lambda_runtime_is_the_python_that_runs_the_tests():
    assert lambda_runtime.runtime_name() == this_python() == f"python{sys.version_info[0]}.{sys.version_info[1]}"


def test_the_powertools_layer_is_the_version_the_tests_import():
    assert lambda_runtime.POWERTOOLS_VERSION == version("aws-lambda-powertools")


def test_every_python_function_runs_the_tests_python(env_app):
    functions = python_functions(env_app)
    assert len(functions) >= 6  # provisioner, four event handlers, compactor
    assert {name: f["Runtime"] for name, f in functions.items()} == {name: this_python() for name in functions}


def test_every_layer_is_resolved_at_deploy_from_aws_public_parameters(env_app):
    expected = {
        lambda_runtime.powertools_layer_parameter(),
        lambda_runtime.aws_sdk_pandas_layer_parameter(),
    }
    used = set()
    for stack in env_app.stacks.all():
        template = env_app.template_json(stack)
        for resource in env_app.resources(stack, "AWS::Lambda::Function").values():
            if "Layers" in resource["Properties"]:
                used |= set(layer_parameters(template, resource["Properties"]))
        for parameter in template.get("Parameters", {}).values():
            if parameter["Type"] == SSM_PARAMETER_TYPE and parameter["Default"].startswith("/aws/service/"):
                assert parameter["Default"] in expected
    assert used == expected


def test_no_template_holds_a_layer_version_arn(env_app):
    for stack in env_app.stacks.all():
        text = json.dumps(env_app.template_json(stack))
        assert LITERAL_LAYER_ARN.findall(text) == [], stack.stack_name
