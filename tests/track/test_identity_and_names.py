"""The {user} read from the caller's identity, and the EDA names by the convention (no AWS)."""

from __future__ import annotations

import pytest

from mlmeta_contract.naming import DEFAULT_CONVENTION, validate
from mlmeta.track import NameRefused
from mlmeta.track.identity import user_from_arn
from mlmeta.track.names import eda_names


@pytest.mark.parametrize(
    ("arn", "user"),
    [
        ("arn:aws:sts::123456789012:assumed-role/DataScientist/ikazaki", "ikazaki"),
        ("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_DataScientist_0a1b2c/Taro.Yamada@example.com", "taroyamada"),
        ("arn:aws:iam::123456789012:user/team/data/hanako_suzuki", "hanakosuzuki"),
        ("arn:aws:sts::123456789012:federated-user/Jiro-2", "jiro2"),
        ("arn:aws-cn:sts::123456789012:assumed-role/DataScientist/wang", "wang"),
    ],
)
def test_the_user_is_the_identitys_person_normalised(arn, user):
    assert user_from_arn(arn) == user


@pytest.mark.parametrize(
    ("arn", "why"),
    [
        ("arn:aws:iam::123456789012:root", "names no person"),
        ("arn:aws:sts::123456789012:assumed-role/AmazonSageMaker-ExecutionRole/SageMaker", "session name 'SageMaker' is a tool's"),
        ("arn:aws:sts::123456789012:assumed-role/Deploy/botocore-session-1764700000", "is a tool's"),
        ("arn:aws:sts::123456789012:assumed-role/Deploy/__", "leaves no letters or digits"),
        ("not-an-arn", "names no person"),
    ],
)
def test_an_identity_without_a_person_is_refused_with_the_rule(arn, why):
    with pytest.raises(NameRefused) as refused:
        user_from_arn(arn)
    message = str(refused.value)
    assert why in message and "pass user='<you>' (one word of lowercase letters and digits, no hyphens)" in message
    assert refused.value.part == "user"


def test_the_names_are_the_conventions_and_read_back_into_their_parts():
    names = eda_names("churn-prediction", "ikazaki", "feature-selection", "run1", "20261126", "dev", DEFAULT_CONVENTION)
    assert (names.experiment, names.trial, names.component) == (
        "churn-prediction-eda-ikazaki",
        "churn-prediction-eda-ikazaki-20261126-feature-selection",
        "churn-prediction-eda-ikazaki-20261126-feature-selection-run1",
    )
    assert validate("eda-component", names.component).parts == {
        "use_case": "churn-prediction", "user": "ikazaki", "date": "20261126", "topic": "feature-selection", "run": "run1"}
    assert names.tags("eda-trial") == {"mlmeta:use-case": "churn-prediction", "mlmeta:environment": "dev", "mlmeta:kind": "eda-trial"}


def test_a_topic_with_the_kind_word_is_refused_as_reading_back_wrong():
    with pytest.raises(NameRefused) as refused:
        eda_names("churn-prediction", "ikazaki", "eda-ikazaki-20261126-x", "run1", "20261126", "dev", DEFAULT_CONVENTION)
    assert (refused.value.part, refused.value.rule) == ("use_case", "wrong-shape")
    assert "keep 'eda' out of the parts after the use case [wrong-shape]" in str(refused.value)


def test_a_name_too_long_is_refused():
    with pytest.raises(NameRefused) as refused:
        eda_names("churn-prediction", "ikazaki", "-".join(["feature"] * 14), "run1", "20261126", "dev", DEFAULT_CONVENTION)
    assert refused.value.rule == "too-long"
