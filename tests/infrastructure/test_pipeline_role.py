"""The pipeline's execution role and the schedule's role: named actions only, resources by ARN."""

from __future__ import annotations

import json

from aws_cdk import Fn, Stack
from pipeline_template import pipeline_stack, single

from mlmeta_contract.naming import arn_patterns

USE_CASE = "churn-prediction"
# The only statements allowed Resource "*", and why (see stacks/pipeline/execution_role.py).
# The only action without a resource type in the IAM service definitions (test_iam_definitions.py).
STAR_RESOURCE_ACTIONS = {"ecr:GetAuthorizationToken"}


def policies(env_app) -> dict[str, list[dict]]:
    """Statements of every IAM policy in the pipeline stack, by logical ID."""
    return {
        logical_id: resource["Properties"]["PolicyDocument"]["Statement"]
        for logical_id, resource in env_app.resources(pipeline_stack(env_app), "AWS::IAM::Policy").items()
    }


def execution_statements(env_app) -> dict[str, dict]:
    stack = pipeline_stack(env_app)
    policy_id = stack.get_logical_id(stack.node.find_child("ExecutionRole").policy.node.default_child)
    return {s["Sid"]: s for s in policies(env_app)[policy_id]}


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def resolved(env_app, value):
    return Stack.of(pipeline_stack(env_app)).resolve(value)


def test_no_statement_has_a_wildcard_action(env_app):
    for logical_id, statements in policies(env_app).items():
        for statement in statements:
            assert statement["Effect"] == "Allow"
            for action in as_list(statement["Action"]):
                assert "*" not in action and "?" not in action, (logical_id, statement.get("Sid"), action)


def test_only_actions_without_a_resource_type_get_resource_star(env_app):
    star = {
        action
        for statements in policies(env_app).values()
        for statement in statements
        if "*" in as_list(statement["Resource"])
        for action in as_list(statement["Action"])
    }
    assert star == STAR_RESOURCE_ACTIONS
    for statement in execution_statements(env_app).values():
        if "*" in as_list(statement["Resource"]):
            assert as_list(statement["Resource"]) == ["*"] and len(as_list(statement["Action"])) == 1


def test_role_is_for_sagemaker_in_this_account_only(env_app):
    _, role = next((k, v) for k, v in env_app.resources(pipeline_stack(env_app), "AWS::IAM::Role").items() if "ExecutionRole" in k)
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


def test_role_passes_only_itself_and_only_to_sagemaker(env_app):
    stack = pipeline_stack(env_app)
    role_id = stack.get_logical_id(stack.node.find_child("ExecutionRole").role.node.default_child)
    passes = [s for s in execution_statements(env_app).values() if "iam:PassRole" in as_list(s["Action"])]
    assert passes == [
        {
            "Sid": "PassToSageMakerJobs",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": {"Fn::GetAtt": [role_id, "Arn"]},
            "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        }
    ]


def test_experiment_entities_are_scoped_to_the_conventions_arn_shapes(env_app):
    env = env_app.settings.name
    patterns = lambda kind: [resolved(env_app, Fn.sub(p)) for p in arn_patterns(kind, USE_CASE, env)]  # noqa: E731
    statements = execution_statements(env_app)
    assert as_list(statements["PipelineExperiment"]["Resource"]) == patterns("pipeline-experiment")
    assert as_list(statements["Trials"]["Resource"]) == patterns("environment-trial") + patterns("analysis-trial")
    assert as_list(statements["AnalysisComponent"]["Resource"]) == patterns("analysis-component")
    assert sorted(as_list(statements["AnalysisComponent"]["Action"])) == [
        "sagemaker:AddTags",
        "sagemaker:CreateTrialComponent",
        "sagemaker:UpdateTrialComponent",
    ]
    assert "analysis" in json.dumps(statements["AnalysisComponent"]["Resource"])


def test_s3_access_is_the_artifacts_prefixes_and_the_bundle_object(env_app):
    stack = pipeline_stack(env_app)
    bucket_id = stack.get_logical_id(stack.node.find_child("Artifacts").bucket.node.default_child)
    key = stack.node.find_child("StepCode").object_key
    statements = execution_statements(env_app)
    object_arn = lambda suffix: {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, suffix]]}  # noqa: E731
    assert statements["ArtifactsReadWrite"]["Resource"] == object_arn("/executions/*")
    assert sorted(as_list(statements["ArtifactsReadWrite"]["Action"])) == ["s3:GetObject", "s3:PutObject"]
    assert statements["InputRead"]["Resource"] == object_arn("/input/*")
    assert statements["InputRead"]["Action"] == "s3:GetObject"
    code_read = json.dumps(statements["StepCodeRead"]["Resource"])
    assert code_read.endswith(f'"/{key}"]]}}') and statements["StepCodeRead"]["Action"] == "s3:GetObject"
    assert statements["StepCodeList"]["Condition"] == {"StringEquals": {"s3:prefix": key}}
    s3_actions = {a for s in statements.values() for a in as_list(s["Action"]) if a.startswith("s3:")}
    assert s3_actions == {"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketLocation"}


def test_images_pulled_are_the_definitions_images(env_app):
    from pipeline_template import steps

    images = set()
    for step in steps(env_app).values():
        arguments = step.get("Arguments", {})
        images |= {arguments.get("AppSpecification", {}).get("ImageUri"), arguments.get("AlgorithmSpecification", {}).get("TrainingImage")}
    repositories = {image.split("/", 1)[1].split(":")[0] for image in images if image}
    pulled = json.dumps(execution_statements(env_app)["ImagePull"]["Resource"])
    assert repositories == {"sagemaker-xgboost", "sagemaker-scikit-learn"}
    assert all(f":repository/{repository}" in pulled for repository in repositories)


def test_schedule_exists_only_where_the_use_case_has_one_and_can_only_start_the_pipeline(env_app):
    schedules = env_app.resources(pipeline_stack(env_app), "AWS::Scheduler::Schedule")
    (use_case,) = env_app.settings.use_cases
    if use_case.schedule is None:
        assert schedules == {}
        return
    _, schedule = single(env_app, "AWS::Scheduler::Schedule")
    properties = schedule["Properties"]
    assert properties["ScheduleExpression"] == use_case.schedule
    assert properties["Target"]["Arn"] == {
        "Fn::Join": ["", ["arn:aws:sagemaker:ap-northeast-1:", {"Ref": "AWS::AccountId"}, f":pipeline/{USE_CASE}-{env_app.settings.name}"]]
    }
    assert "SageMakerPipelineParameters" in properties["Target"]
    stack = pipeline_stack(env_app)
    policy_id = stack.get_logical_id(stack.node.find_child("Schedule").node.find_child("Policy").node.default_child)
    (statement,) = policies(env_app)[policy_id]
    assert statement["Action"] == "sagemaker:StartPipelineExecution"
    assert statement["Resource"] == properties["Target"]["Arn"]
