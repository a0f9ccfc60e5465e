"""The experiments stack: one custom resource per configured experiment, named by the convention, tagged,
retained, with logical IDs that never move."""

from __future__ import annotations

import dataclasses

import pytest
from aws_cdk import App, Environment

from mlmeta.config import UseCase, get_environment
from mlmeta_contract.naming import DEFAULT_CONVENTION, convention_from_dict, validate
from stacks.experiments.experiment import RESOURCE_TYPE
from stacks.experiments.specs import experiment_specs
from stacks.experiments_stack import ExperimentsStack

# Logical IDs of the experiments. A changed construct id changes a logical ID, and CloudFormation then
# creates a second custom resource (a second experiment) and orphans the first. If this fails, keep the ids.
PINNED_EXPERIMENTS = {
    "dev": {
        "churnpredictionPipelineExperimentB1CDBA4A": "churn-prediction-dev-pipeline",
        "churnpredictionEdaExperimentikazaki45599A08": "churn-prediction-eda-ikazaki",
    },
    "stg": {"churnpredictionPipelineExperimentB1CDBA4A": "churn-prediction-stg-pipeline"},
    "prod": {"churnpredictionPipelineExperimentB1CDBA4A": "churn-prediction-prod-pipeline"},
}


def experiments(env_app) -> dict[str, dict]:
    return env_app.resources(env_app.stacks.experiments, RESOURCE_TYPE)


def test_experiment_logical_ids_and_names_are_pinned(env_app):
    found = {logical_id: r["Properties"]["ExperimentName"] for logical_id, r in experiments(env_app).items()}
    assert found == PINNED_EXPERIMENTS[env_app.settings.name]


def test_each_experiment_carries_its_kind_tags_and_a_compliant_name(env_app):
    settings = env_app.settings
    by_name = {r["Properties"]["ExperimentName"]: r["Properties"] for r in experiments(env_app).values()}
    specs = experiment_specs(settings)
    assert set(by_name) == {spec.name for spec in specs}
    for spec in specs:
        properties = by_name[spec.name]
        assert validate(properties["Kind"], spec.name).compliant
        assert properties["Tags"] == {
            "mlmeta:use-case": spec.use_case,
            "mlmeta:environment": settings.name,
            "mlmeta:kind": properties["Kind"],
        }
        assert "never deleted automatically" in properties["Description"]


def test_eda_experiments_exist_only_where_the_environment_hosts_eda(synthesized):
    for env_name in ("dev", "prod"):
        env_app = synthesized(env_name)
        kinds = {r["Properties"]["Kind"] for r in experiments(env_app).values()}
        assert ("eda-experiment" in kinds) is env_app.settings.hosts_eda_experiments


def test_experiments_are_retained_in_every_environment(env_app):
    for logical_id, resource in experiments(env_app).items():
        assert (resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy")) == ("Retain", "Retain"), logical_id


def test_termination_protection_follows_retain_data(env_app):
    assert env_app.artifact(env_app.stacks.experiments).termination_protection is env_app.settings.retain_data


def test_every_experiment_is_served_by_the_provider_framework(env_app):
    stack = env_app.stacks.experiments
    functions = env_app.resources(stack, "AWS::Lambda::Function")
    framework = [i for i, f in functions.items() if f["Properties"]["Handler"] == "framework.onEvent"]
    assert len(framework) == 1
    for resource in experiments(env_app).values():
        assert resource["Properties"]["ServiceToken"] == {"Fn::GetAtt": [framework[0], "Arn"]}


def test_the_stack_exposes_names_for_later_stacks_and_outputs_them(env_app):
    stack = env_app.stacks.experiments
    use_case = env_app.settings.use_cases[0].name
    expected = f"{use_case}-{env_app.settings.name}-pipeline"
    assert stack.pipeline_experiment_names == {use_case: expected}
    assert set(stack.experiments) == set(PINNED_EXPERIMENTS[env_app.settings.name].values())
    outputs = env_app.template_json(stack)["Outputs"]
    assert outputs[f"PipelineExperiment{use_case.replace('-', '')}"]["Value"] == expected
    assert outputs["GuardrailPolicyArn"]["Value"] == {"Ref": stack.get_logical_id(stack.guardrail_policy.node.default_child)}


def _logical_ids_by_role(settings, convention=DEFAULT_CONVENTION) -> dict[str, str]:
    """{logical ID: experiment name} of a stack built (not synthesized) from ``settings``."""
    app = App()
    stack = ExperimentsStack(app, "Probe", settings=dataclasses.replace(settings, convention=convention), env=Environment(region=settings.region))
    return {
        stack.resolve(stack.get_logical_id(experiment.node.default_child)): name
        for name, experiment in stack.experiments.items()
    }


def test_a_convention_change_renames_experiments_in_place():
    # Same logical IDs, new names: CloudFormation sends an Update, and the handler creates the new
    # experiment and keeps the old one. A new logical ID would instead orphan the old resource.
    dev = get_environment("dev")
    org = convention_from_dict({"words": {"pipeline": "pl", "eda": "explore"}})

    before, after = _logical_ids_by_role(dev), _logical_ids_by_role(dev, org)

    assert set(before) == set(after) == set(PINNED_EXPERIMENTS["dev"])
    assert after == {
        "churnpredictionPipelineExperimentB1CDBA4A": "churn-prediction-dev-pl",
        "churnpredictionEdaExperimentikazaki45599A08": "churn-prediction-explore-ikazaki",
    }


def test_adding_a_use_case_or_user_leaves_existing_logical_ids_alone():
    dev = get_environment("dev")
    more = dataclasses.replace(
        dev,
        use_cases=(
            UseCase("churn-prediction", eda_users=("bob", "ikazaki")),
            UseCase("fraud-detection", eda_users=("ikazaki",)),
        ),
    )

    found = _logical_ids_by_role(more)

    assert PINNED_EXPERIMENTS["dev"].items() <= found.items()
    assert sorted(found.values()) == [
        "churn-prediction-dev-pipeline",
        "churn-prediction-eda-bob",
        "churn-prediction-eda-ikazaki",
        "fraud-detection-dev-pipeline",
        "fraud-detection-eda-ikazaki",
    ]


def test_an_environment_without_use_cases_is_refused_with_a_reason():
    empty = dataclasses.replace(get_environment("dev"), use_cases=())
    with pytest.raises(ValueError, match="environment dev has no use cases"):
        ExperimentsStack(App(), "Empty", settings=empty)
