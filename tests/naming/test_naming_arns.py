"""arn_patterns(): IAM resource patterns of the convention's names, one per environment."""

from __future__ import annotations

import fnmatch

import pytest

from mlmeta_contract.naming import NamingError, arn_patterns, new

PREFIX = "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:"
EXEC = "p4jn9xou8a8s"


def test_pipeline_experiment_of_one_environment():
    assert arn_patterns("pipeline-experiment", "churn-prediction", "prod") == (f"{PREFIX}experiment/churn-prediction-prod-pipeline",)


def test_every_environment_when_none_is_given():
    assert arn_patterns("pipeline", "churn") == tuple(f"{PREFIX}pipeline/churn-{env}" for env in ("dev", "stg", "prod"))


def test_a_resource_type_covers_all_its_kinds_with_fixed_length_wildcards():
    assert arn_patterns("experiment-trial", "churn", "dev") == (
        f"{PREFIX}experiment-trial/churn-dev-????????????",
        f"{PREFIX}experiment-trial/churn-dev-????????????-analysis",
        f"{PREFIX}experiment-trial/churn-eda-*-????????-*",
    )
    assert arn_patterns("eda-experiment", "churn", user="ikazaki") == (f"{PREFIX}experiment/churn-eda-ikazaki",)


def test_explicit_partition_region_account():
    assert arn_patterns("analysis-component", "churn", "prod", partition="aws", region="ap-northeast-1", account="123456789012") == (
        "arn:aws:sagemaker:ap-northeast-1:123456789012:experiment-trial-component/churn-prod-????????????-analysis-*",
    )


@pytest.mark.parametrize(
    ("kind", "parts"),
    [
        ("environment-trial", {"env": "stg", "execution_id": EXEC}),
        ("analysis-component", {"env": "stg", "execution_id": EXEC, "step": "evaluation"}),
        ("eda-trial", {"user": "bob", "date": "20260102", "topic": "feature-selection"}),
    ],
)
def test_the_patterns_match_the_names_new_builds(kind, parts):
    # IAM's * and ? mean what fnmatch's do (no [..] classes appear in these patterns).
    name_patterns = [arn.split("/", 1)[1] for arn in arn_patterns(kind, "churn", parts.get("env"))]
    assert any(fnmatch.fnmatchcase(new(kind, use_case="churn", **parts), p) for p in name_patterns)
    assert not any(fnmatch.fnmatchcase(new(kind, use_case="fraud", **parts), p) for p in name_patterns)


def test_bad_use_case_or_env_is_refused():
    with pytest.raises(NamingError, match="use_case 'Churn' is not lowercase"):
        arn_patterns("pipeline", "Churn")
    with pytest.raises(NamingError, match="env 'qa' is not a known environment"):
        arn_patterns("pipeline", "churn", "qa")
    with pytest.raises(ValueError, match="unknown resource type 'bucket'"):
        arn_patterns("bucket", "churn")
