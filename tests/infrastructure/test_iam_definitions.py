"""Every synthesized policy against AWS's IAM service definitions (iam_definitions.py): the actions exist,
resources match the actions' resource types (``*`` only where IAM has none), every required resource type
is allowed, condition keys are real. A mismatch like CreateTrial without its experiment fails here."""

from __future__ import annotations

import pytest
from iam_definitions import Templates, arn_matches, check, expand_action

from mlmeta.config import ENVIRONMENTS


@pytest.fixture(params=tuple(ENVIRONMENTS))
def templates(request, synthesized) -> Templates:
    env_app = synthesized(request.param)
    return Templates({s.stack_name: env_app.template_json(s) for s in env_app.stacks.all()}, env_app.settings.region)


def test_every_policy_matches_the_iam_service_definitions(templates, capsys):
    report = check(templates)
    with capsys.disabled():
        print(f"\n{len(report.actions_checked)} actions checked; {len({a for a, _ in report.scoped})} scoped to resources; "
              f"* only for: " + ", ".join(f"{a} ({why})" for a, why in sorted(report.wildcard_evidence.items()))
              + "; one of several required resource types: " + ", ".join(f"{a} ({why})" for a, why in sorted(report.alternative_evidence.items())))
    assert [str(f) for f in report.findings] == []
    assert len(report.actions_checked) > 50


# The checker itself: each rule fires on a policy that breaks it.

def one_policy(*statements, region="ap-northeast-1") -> Templates:
    policy = {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": {"Statement": list(statements)}}}
    return Templates({"s": {"Resources": {"P": policy}}}, region)


TRIAL = "arn:aws:sagemaker:ap-northeast-1:123456789012:experiment-trial/churn-prediction-dev-*"
EXPERIMENT = "arn:aws:sagemaker:ap-northeast-1:123456789012:experiment/churn-prediction-dev-pipeline"


def problems(*statements) -> list[str]:
    return [f.problem for f in check(one_policy(*statements)).findings]


def test_create_trial_without_its_experiment_is_a_finding_and_with_it_is_not():
    (problem,) = problems({"Sid": "T", "Effect": "Allow", "Action": "sagemaker:CreateTrial", "Resource": TRIAL})
    assert problem.startswith("sagemaker:CreateTrial requires resource type experiment ")
    assert problems({"Sid": "T", "Effect": "Allow", "Action": "sagemaker:CreateTrial", "Resource": [TRIAL, EXPERIMENT]}) == []


def test_an_unknown_action_a_wildcard_where_iam_scopes_and_a_wrong_resource_type_are_findings():
    assert problems({"Effect": "Allow", "Action": "sagemaker:CreateTrail", "Resource": TRIAL}) == [
        "action sagemaker:CreateTrail is not in the IAM service definitions"]
    (wildcard,) = problems({"Effect": "Allow", "Action": "sagemaker:DescribeTrial", "Resource": "*"})
    assert wildcard.startswith("sagemaker:DescribeTrial on * although IAM offers resource types")
    wrong = problems({"Effect": "Allow", "Action": "sagemaker:DescribeTrial", "Resource": EXPERIMENT})
    assert [p.split(" ")[:3] for p in wrong] == [["no", "resource", "of"], ["sagemaker:DescribeTrial", "requires", "resource"]]
    assert problems({"Effect": "Allow", "Action": "sagemaker:Search", "Resource": "*"}) == []


def test_an_unknown_condition_key_is_a_finding():
    statement = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
                 "Condition": {"StringLike": {"s3:prefix": ["x/*"], "s3:prefixes": ["y"]}}}
    assert problems(statement) == ["condition key s3:prefixes is not one of ['s3:ListBucket']'s"]


def test_arn_matching_reads_both_sides_wildcards():
    log_stream = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}"
    assert arn_matches(log_stream, "arn:aws:logs:r:1:log-group:/aws/sagemaker/ProcessingJobs:*")
    assert not arn_matches("arn:${Partition}:sagemaker:${Region}:${Account}:experiment/${ExperimentName}", TRIAL)
    assert {"s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion"} <= set(expand_action("s3:GetObject*"))
    assert "s3:PutObject" not in expand_action("s3:GetObject*")
