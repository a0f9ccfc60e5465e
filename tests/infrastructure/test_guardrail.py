"""The naming guardrail: a managed policy per environment that lets people create only EDA work named by
the convention; ``enforce`` adds an explicit Deny for everything else. Evaluated here the way IAM would,
on sample ARNs."""

from __future__ import annotations

import dataclasses

import pytest
from aws_cdk import App, Environment
from cfn_values import ACCOUNT, as_list, decide, render

from mlmeta.config import get_environment
from mlmeta_contract.naming import arn_patterns, convention_from_dict
from stacks.experiments.guardrail import ADD_TAGS, CREATE_ACTION
from stacks.experiments_stack import ExperimentsStack

CREATE_EXPERIMENT, CREATE_TRIAL, CREATE_COMPONENT = CREATE_ACTION.values()
ALLOW_SIDS = {
    "CreateExperiment", "CreateExperimentTrial", "CreateExperimentTrialComponent", "TrialsJoinEdaExperiments", "TagConventionNames",
}


def arn(region: str, resource_type: str, name: str) -> str:
    return f"arn:aws:sagemaker:{region}:{ACCOUNT}:{resource_type}/{name}"


def guardrail(template: dict) -> dict:
    (policy,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::ManagedPolicy"]
    return policy["Properties"]


def synthesized_variant(tmp_path_factory, settings, **kwargs) -> dict:
    """A stand-alone experiments stack for settings the embedded environments do not have."""
    app = App(outdir=str(tmp_path_factory.mktemp("guardrail")))
    stack = ExperimentsStack(app, "Variant", settings=settings, env=Environment(region=settings.region), **kwargs)
    return app.synth().get_stack_by_name(stack.stack_name).template


def test_one_policy_per_environment_with_statements_by_naming_mode(env_app):
    settings = env_app.settings
    policy = guardrail(env_app.template_json(env_app.stacks.experiments))
    sids = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    # mlmeta.track records to a provisioned MLflow App (stg): tests/infrastructure/test_tracking_stack.py.
    mlflow = sids.pop("MlflowCallApp", None)
    assert (mlflow is not None) is settings.provisions_mlflow

    assert policy["ManagedPolicyName"] == f"mlmeta-{settings.name}-experiment-naming"
    if settings.naming_mode == "enforce":
        assert set(sids) == ALLOW_SIDS | {"DenyCreateOutsideConvention"}
        deny = sids["DenyCreateOutsideConvention"]
        assert deny["Effect"] == "Deny"
        assert sorted(deny["Action"]) == sorted(CREATE_ACTION.values())
        assert "Resource" not in deny
        assert sorted(map(str, deny["NotResource"])) == sorted(map(str, as_list(sids["TagConventionNames"]["Resource"])))
    else:
        assert set(sids) == ALLOW_SIDS
    assert all(sids[sid]["Effect"] == "Allow" for sid in ALLOW_SIDS)
    assert {a for s in sids.values() for a in as_list(s["Action"])} == {*CREATE_ACTION.values(), ADD_TAGS}


def test_the_allowed_shapes_are_the_conventions_eda_arn_patterns(env_app):
    region = env_app.settings.region
    sids = {s["Sid"]: s for s in guardrail(env_app.template_json(env_app.stacks.experiments))["PolicyDocument"]["Statement"]}
    for sid, kind in (("CreateExperiment", "eda-experiment"), ("CreateExperimentTrial", "eda-trial")):
        expected = {
            pattern
            for use_case in env_app.settings.use_cases
            for pattern in arn_patterns(kind, use_case.name, partition="aws", region=region, account=ACCOUNT)
        }
        assert {render(r, region=region) for r in as_list(sids[sid]["Resource"])} == expected


# (action, resource type, name, decision in audit, decision in enforce)
CASES = [
    (CREATE_EXPERIMENT, "experiment", "churn-prediction-eda-ikazaki", "allow", "allow"),
    (CREATE_TRIAL, "experiment-trial", "churn-prediction-eda-ikazaki-20261126-feature-selection", "allow", "allow"),
    (CREATE_COMPONENT, "experiment-trial-component", "churn-prediction-eda-ikazaki-20261126-feature-selection-lgbm", "allow", "allow"),
    (ADD_TAGS, "experiment-trial", "churn-prediction-eda-ikazaki-20261126-feature-selection", "allow", "allow"),
    # The SageMaker SDK's Run names its trial like this: not the convention (docs/experiments.md).
    (CREATE_TRIAL, "experiment-trial", "Default-Run-Group-churn-prediction-eda-ikazaki", "implicit-deny", "deny"),
    # Machines create pipeline experiments and analysis trials; people do not.
    (CREATE_EXPERIMENT, "experiment", "churn-prediction-prod-pipeline", "implicit-deny", "deny"),
    (CREATE_TRIAL, "experiment-trial", "churn-prediction-prod-p4jn9xou8a8s-analysis", "implicit-deny", "deny"),
    (CREATE_EXPERIMENT, "experiment", "my-experiment", "implicit-deny", "deny"),
    (CREATE_EXPERIMENT, "experiment", "fraud-detection-eda-ikazaki", "implicit-deny", "deny"),  # not a configured use case
    (CREATE_TRIAL, "experiment-trial", "churn-prediction-eda-ikazaki-feature-selection", "implicit-deny", "deny"),  # no date
]


@pytest.mark.parametrize(("action", "resource_type", "name", "audit", "enforce"), CASES, ids=[c[2] for c in CASES])
def test_iam_decides_by_name_as_the_naming_mode_says(synthesized, action, resource_type, name, audit, enforce):
    for env_name, expected in (("dev", audit), ("prod", enforce)):
        env_app = synthesized(env_name)
        region = env_app.settings.region
        policy = guardrail(env_app.template_json(env_app.stacks.experiments))
        decision = decide(policy["PolicyDocument"]["Statement"], action, arn(region, resource_type, name), region=region)
        assert (env_name, decision) == (env_name, expected)


def test_the_default_config_attaches_the_policy_to_nobody(env_app):
    assert "Roles" not in guardrail(env_app.template_json(env_app.stacks.experiments))


@pytest.fixture(scope="module")
def with_roles(tmp_path_factory) -> dict:
    prod = dataclasses.replace(get_environment("prod"), data_scientist_role_names=("DataScientist", "MLResearcher"))
    return synthesized_variant(tmp_path_factory, prod)


def test_configured_data_scientist_roles_get_the_policy(with_roles):
    assert guardrail(with_roles)["Roles"] == ["DataScientist", "MLResearcher"]


def test_another_organisations_convention_changes_the_shapes(tmp_path_factory):
    org = convention_from_dict({"words": {"eda": "explore"}, "patterns": {"eda-trial": "{usecase}-{eda}-{user}-{topic}-{yyyymmdd}"}})
    dev = get_environment("dev")
    template = synthesized_variant(tmp_path_factory, dataclasses.replace(dev, convention=org))
    region = dev.region
    statements = guardrail(template)["PolicyDocument"]["Statement"]

    allowed = arn(region, "experiment-trial", "churn-prediction-explore-ikazaki-lift-20261126")
    assert decide(statements, CREATE_TRIAL, allowed, region=region) == "allow"
    default_shape = arn(region, "experiment-trial", "churn-prediction-eda-ikazaki-20261126-lift")
    assert decide(statements, CREATE_TRIAL, default_shape, region=region) == "implicit-deny"
