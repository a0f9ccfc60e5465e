"""The experiments stack's Lambdas (the provisioner and the Provider framework in front of it): runtime,
architecture, pinned Powertools layer, own log groups with the environment's retention, and IAM that
reaches only the provisioned experiments."""

from __future__ import annotations

import json
import re

from cfn_values import as_list, layer_parameters, render, statements, this_python

from mlmeta.config.lambda_runtime import POWERTOOLS_VERSION
from mlmeta_contract.naming import CONVENTION_ENV_VAR, DEFAULT_CONVENTION, classify, convention_from_dict

HANDLER = "experiment_provisioner.handler.lambda_handler"


def functions(env_app) -> dict[str, dict]:
    return env_app.resources(env_app.stacks.experiments, "AWS::Lambda::Function")


def provisioner(env_app) -> dict:
    (function,) = [f["Properties"] for f in functions(env_app).values() if f["Properties"]["Handler"] == HANDLER]
    return function


def test_the_handler_runs_the_tests_python_on_arm64_with_the_tests_powertools_resolved_at_deploy(env_app):
    function = provisioner(env_app)
    python = this_python()

    assert function["Runtime"] == python
    assert function["Architectures"] == ["arm64"]
    template = env_app.template_json(env_app.stacks.experiments)
    assert layer_parameters(template, function) == [f"/aws/service/powertools/python/arm64/{python}/{POWERTOOLS_VERSION}"]
    assert function["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == "mlmeta-experiment-provisioner"


def test_the_handler_checks_names_with_the_convention_of_the_synth(env_app):
    variables = provisioner(env_app)["Environment"]["Variables"]
    assert convention_from_dict(json.loads(variables[CONVENTION_ENV_VAR])) == DEFAULT_CONVENTION


def test_every_function_logs_to_its_own_log_group_kept_as_the_environment_says(env_app):
    stack = env_app.stacks.experiments
    log_groups = env_app.resources(stack, "AWS::Logs::LogGroup")
    used = [f["Properties"]["LoggingConfig"]["LogGroup"]["Ref"] for f in functions(env_app).values()]

    assert len(functions(env_app)) == 2  # the provisioner and the framework
    assert sorted(used) == sorted(log_groups)
    removal = "Retain" if env_app.settings.retain_data else "Delete"
    for logical_id in used:
        group = log_groups[logical_id]
        assert group["Properties"]["RetentionInDays"] == env_app.settings.retention.log_retention_days
        assert group["DeletionPolicy"] == removal


def test_the_framework_relays_to_the_handler(env_app):
    framework = [f["Properties"] for f in functions(env_app).values() if f["Properties"]["Handler"] == "framework.onEvent"]
    handler_id = next(i for i, f in functions(env_app).items() if f["Properties"]["Handler"] == HANDLER)
    assert framework[0]["Environment"]["Variables"]["USER_ON_EVENT_FUNCTION_ARN"] == {"Fn::GetAtt": [handler_id, "Arn"]}


def test_no_action_wildcards_and_no_managed_policies_on_lambda_roles(env_app):
    stack = env_app.stacks.experiments
    for statement in statements(env_app.template_json(stack)["Resources"]):
        assert not [a for a in as_list(statement["Action"]) if "*" in a], statement
    for role in env_app.resources(stack, "AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in role["Properties"]


def test_sagemaker_access_is_exactly_the_provisioned_experiments(env_app):
    stack = env_app.stacks.experiments
    region = env_app.settings.region
    sagemaker = [s for s in statements(env_app.resources(stack, "AWS::IAM::Policy")) if "sagemaker:AddTags" in as_list(s["Action"])]

    assert len(sagemaker) == 1
    assert sorted(as_list(sagemaker[0]["Action"])) == ["sagemaker:AddTags", "sagemaker:CreateExperiment", "sagemaker:DescribeExperiment"]
    arns = [render(r, region=region) for r in as_list(sagemaker[0]["Resource"])]
    names = []
    for arn in arns:
        match = re.fullmatch(rf"arn:aws:sagemaker:{region}:\d{{12}}:experiment/(?P<name>[a-z0-9-]+)", arn)
        assert match, arn
        names.append(match["name"])
        assert classify(match["name"], "experiment").compliant, arn
    assert sorted(names) == sorted(stack.experiments)


def test_the_handler_may_write_only_its_own_log_group(env_app):
    stack = env_app.stacks.experiments
    logs = [s for s in statements(env_app.resources(stack, "AWS::IAM::Policy")) if "logs:PutLogEvents" in as_list(s["Action"])]
    log_groups = set(env_app.resources(stack, "AWS::Logs::LogGroup"))
    assert len(logs) == 2
    assert {s["Resource"]["Fn::GetAtt"][0] for s in logs} == log_groups
