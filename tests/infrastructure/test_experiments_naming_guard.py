"""Synth-time enforcement: a bad name in the config fails building the app with one line that names the
name, its kind, the rule and the reason, and the config entry it came from."""

from __future__ import annotations

import dataclasses

import pytest

from mlmeta.config import UseCase, get_environment
from mlmeta_contract.naming import DEFAULT_CONVENTION, convention_from_dict
from stacks.experiments.specs import experiment_specs
from stacks.mlmeta_app import build, create_app
from stacks.common.compliant_names import NonCompliantName, compliant_name, require_compliant


def dev_with(*use_cases: UseCase):
    return dataclasses.replace(get_environment("dev"), use_cases=use_cases)


def test_a_compliant_name_passes_through():
    assert require_compliant("pipeline-experiment", "churn-prediction-prod-pipeline", convention=DEFAULT_CONVENTION) == "churn-prediction-prod-pipeline"


def test_a_non_compliant_name_fails_with_name_kind_rule_and_reason():
    with pytest.raises(NonCompliantName) as raised:
        require_compliant("pipeline-experiment", "churn-prediction-qa-pipeline", convention=DEFAULT_CONVENTION, source="environment qa")

    error = raised.value
    assert (error.kind, error.name, error.rule) == ("pipeline-experiment", "churn-prediction-qa-pipeline", "unknown-env")
    assert str(error) == (
        "naming convention: environment qa: 'churn-prediction-qa-pipeline' is not a compliant pipeline-experiment name "
        f"[unknown-env]: {error.reason}"
    )
    assert "known environments are dev, stg, prod" in error.reason
    assert isinstance(error, ValueError)


def test_a_bad_part_is_reported_with_the_name_it_would_have_made():
    with pytest.raises(NonCompliantName) as raised:
        compliant_name("eda-experiment", convention=DEFAULT_CONVENTION, use_case="churn-prediction", user="Alice Smith", source="eda_users entry 'Alice Smith'")

    assert str(raised.value) == (
        "naming convention: eda_users entry 'Alice Smith': 'churn-prediction-eda-Alice Smith' is not a compliant "
        "eda-experiment name [uppercase]: user 'Alice Smith' is not one word of lowercase letters and digits, no hyphens"
    )


def test_a_part_that_would_change_the_names_meaning_is_refused():
    # 'alice-smith' renders a name that reads back as use case 'churn-prediction-eda-alice', user 'smith'.
    with pytest.raises(NonCompliantName) as raised:
        compliant_name("eda-experiment", convention=DEFAULT_CONVENTION, use_case="churn-prediction", user="alice-smith")

    assert raised.value.rule == "wrong-shape"
    assert raised.value.name == "churn-prediction-eda-alice-smith"
    assert "user 'alice-smith' is not one word" in raised.value.reason


def test_a_bad_eda_user_in_the_config_fails_the_synth_naming_the_config_entry():
    settings = dev_with(UseCase("churn-prediction", eda_users=("ikazaki", "Alice Smith")))

    with pytest.raises(NonCompliantName) as raised:
        build(create_app(), settings, queries=[])

    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(
        "naming convention: environment dev, use case 'churn-prediction', eda_users entry 'Alice Smith': "
        "'churn-prediction-eda-Alice Smith' is not a compliant eda-experiment name [uppercase]: "
    )


def test_a_bad_use_case_name_fails_before_any_experiment_is_made():
    with pytest.raises(NonCompliantName, match=r"'Churn_Prediction-dev-pipeline' is not a compliant pipeline-experiment name \[uppercase\]"):
        experiment_specs(dev_with(UseCase("Churn_Prediction")))


def test_the_convention_in_force_decides():
    org = convention_from_dict({"environments": ["sandbox", "live"]})
    with pytest.raises(NonCompliantName, match=r"\[unknown-env\]"):
        experiment_specs(dataclasses.replace(get_environment("dev"), convention=org))


@pytest.mark.parametrize(
    ("use_cases", "message"),
    [
        ((UseCase("churn"), UseCase("churn")), "environment dev lists use case 'churn' more than once"),
        ((UseCase("churn", eda_users=("bob", "bob")),), "use case 'churn' lists EDA user 'bob' more than once"),
    ],
)
def test_duplicates_in_the_config_are_refused(use_cases, message):
    with pytest.raises(ValueError, match=message):
        experiment_specs(dev_with(*use_cases))
