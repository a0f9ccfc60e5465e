"""What `mlmeta doctor` assumes about the deployment, compared with the synthesized app: the stack names,
the CDK bootstrap version the templates require, the public layer parameters they resolve, the trail
they create, the probe queue output; and the doctor's own permissions against AWS's IAM definitions."""

from __future__ import annotations

from pathlib import Path

from cfn_values import layer_parameters
from iam_definitions import expand_action

from mlmeta.doctor.bootstrap import BOOTSTRAP_VERSION_PARAMETER, MIN_BOOTSTRAP_VERSION
from mlmeta.doctor.deployed_stacks import expected_stack_names
from mlmeta.doctor.layers import LAYERS
from mlmeta.doctor.mlflow_server import MLFLOW_DOCTOR_ACTIONS
from mlmeta.doctor.permissions import ACTION_OF_OPERATION, DOCTOR_ACTIONS
from mlmeta.doctor.probe_event import QUEUE_URL_OUTPUT
from mlmeta.doctor.trail import created_trail_name


def templates(env_app) -> list[dict]:
    return [env_app.template_json(stack) for stack in env_app.stacks.all()]


def test_the_doctor_expects_the_stacks_the_app_builds_in_their_order(env_app):
    assert expected_stack_names(env_app.settings) == tuple(stack.stack_name for stack in env_app.stacks.all())


def test_the_minimum_bootstrap_version_is_the_one_every_template_checks(env_app):
    for template in templates(env_app):
        (assertion,) = template["Rules"]["CheckBootstrapVersion"]["Assertions"]
        # CDK writes "not one of the versions that are too old": ["1", ..., "<minimum - 1>"].
        too_old, reference = assertion["Assert"]["Fn::Not"][0]["Fn::Contains"]
        assert reference == {"Ref": "BootstrapVersion"}
        assert sorted(map(int, too_old)) == list(range(1, MIN_BOOTSTRAP_VERSION))
        assert template["Parameters"]["BootstrapVersion"]["Default"] == BOOTSTRAP_VERSION_PARAMETER


def test_the_doctor_resolves_exactly_the_layer_parameters_the_functions_use(env_app):
    used = {
        parameter
        for template in templates(env_app)
        for function in (r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function")
        if "Layers" in function
        for parameter in layer_parameters(template, function)
    }
    assert used == {layer.parameter for layer in LAYERS}


def test_the_created_trail_is_the_one_the_doctor_looks_for(env_app):
    (trail,) = env_app.resources(env_app.stacks.events, "AWS::CloudTrail::Trail").values()
    assert trail["Properties"]["TrailName"] == created_trail_name(env_app.settings)


def test_the_events_stack_outputs_the_probe_queue_the_doctor_reads(env_app):
    assert QUEUE_URL_OUTPUT in env_app.template_json(env_app.stacks.events)["Outputs"]


def test_every_permission_the_doctor_needs_is_an_iam_action_and_is_documented():
    assert {action: expand_action(action) for action in DOCTOR_ACTIONS} == {action: [action] for action in DOCTOR_ACTIONS}
    assert set(ACTION_OF_OPERATION.values()) <= set(DOCTOR_ACTIONS)
    guide = (Path(__file__).resolve().parents[2] / "docs" / "deploying.md").read_text()
    assert [action for action in DOCTOR_ACTIONS if f'"{action}"' not in guide] == []
    # The MLflow environments' check (mlmeta/doctor/mlflow_server.py) needs one more, documented apart.
    assert {action: expand_action(action) for action in MLFLOW_DOCTOR_ACTIONS} == {action: [action] for action in MLFLOW_DOCTOR_ACTIONS}
    assert [action for action in MLFLOW_DOCTOR_ACTIONS if f'"{action}"' not in guide] == []
