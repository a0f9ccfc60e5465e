"""The event handlers' IAM (docs/handlers.md, "IAM"): named actions only, resources of the naming
convention's shapes and the lake prefixes each handler writes, checked by evaluating each role's
policies on sample ARNs the way IAM would (tests/infrastructure/cfn_values.py)."""

from __future__ import annotations

from typing import Any

import pytest
from cfn_values import ACCOUNT, as_list, decide, render, statements

from mlmeta.events.handlers import HANDLERS_BY_NAME

LAKE = "arn:aws:s3:::lake-bucket"
LAKE_KEY = "arn:aws:kms:ap-northeast-1:123456789012:key/lake"
TOPIC = "arn:aws:sns:ap-northeast-1:123456789012:notices"
NOTICES_KEY = "arn:aws:kms:ap-northeast-1:123456789012:key/notices"
QUARANTINE = "arn:aws:sqs:ap-northeast-1:123456789012:quarantine"
FAILURES = "arn:aws:sqs:ap-northeast-1:123456789012:failed-invocations"
# The lake's weak references, by the output they read (the lake stack's bucket ARN, bucket name, key ARN).
MLFLOW_APP = "arn:aws:sagemaker:ap-northeast-1:123456789012:mlflow-app/app-4xmpl3ab12cd"
_OUTPUTS = {"PublishOutputFnGetAttStorageBucket5CB7C8EAArnD5536396": LAKE, "PublishOutputFnGetAttStorageKeyBAA9457BArn8824BD98": LAKE_KEY,
            "PublishOutputFnGetAttMlflowApp434C8BD0Arn0C950034": MLFLOW_APP}
_REFS = {"NoticesTopic898AF2CD": TOPIC}
_ATTS = {("NoticesKey98C62BF4", "Arn"): NOTICES_KEY, ("QuarantineQueue7DCA55F2", "Arn"): QUARANTINE,
         ("FailedInvocationsQueueC607D06D", "Arn"): FAILURES}  # fmt: skip


def sm(resource: str) -> str:
    """A SageMaker ARN; ``{env}`` is the environment under test, ``{other}`` another one."""
    return f"arn:aws:sagemaker:ap-northeast-1:{ACCOUNT}:{resource}"


def concrete(value: Any) -> Any:
    """References to the lake, the topic, its key and the quarantine queue as sample ARNs."""
    if isinstance(value, dict):
        if "Fn::GetStackOutput" in value:
            return _OUTPUTS[value["Fn::GetStackOutput"]["OutputName"]]
        if set(value) == {"Ref"} and value["Ref"] in _REFS:
            return _REFS[value["Ref"]]
        if set(value) == {"Fn::GetAtt"} and tuple(value["Fn::GetAtt"]) in _ATTS:
            return _ATTS[tuple(value["Fn::GetAtt"])]
        return {key: concrete(item) for key, item in value.items()}
    if isinstance(value, list):
        return [concrete(item) for item in value]
    return value


def role_statements(env_app, handler: str) -> list[dict]:
    """Every statement of every policy attached to ``handler``'s role, lake and topic rendered."""
    stack_resources = env_app.template_json(env_app.stacks.events)["Resources"]
    prefix = "".join(word.capitalize() for word in HANDLERS_BY_NAME[handler].name.split("-"))
    (role,) = [i for i, r in stack_resources.items() if r["Type"] == "AWS::IAM::Role" and i.startswith(f"{prefix}HandlerRole")]
    attached = {i: r for i, r in stack_resources.items() if r["Type"] == "AWS::IAM::Policy" and {"Ref": role} in r["Properties"]["Roles"]}
    return [s for s in concrete(statements(attached)) if not _is_log_write(s)]


def _is_log_write(statement: dict) -> bool:
    return set(as_list(statement["Action"])) == {"logs:CreateLogStream", "logs:PutLogEvents"}


def allowed(env_app, handler: str, action: str, arn: str) -> bool:
    return decide(role_statements(env_app, handler), action, arn, region=env_app.settings.region) == "allow"


def test_no_action_wildcards_and_no_managed_policies(env_app):
    stack_resources = env_app.template_json(env_app.stacks.events)["Resources"]
    for statement in statements(stack_resources):
        assert not [a for a in as_list(statement["Action"]) if "*" in a], statement
    for role in env_app.resources(env_app.stacks.events, "AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in role["Properties"]


EXPECTED_ACTIONS = {
    "tagger": {"sagemaker:DescribeTrial", "sagemaker:DescribeTrialComponent", "sagemaker:AddTags"},
    "naming-guard": {"sagemaker:DescribeExperiment", "sagemaker:DescribeTrial", "sagemaker:DescribeTrialComponent",
                     "sagemaker:AddTags", "s3:PutObject", "kms:GenerateDataKey", "kms:Decrypt", "sns:Publish"},
    "snapshotter": {"sagemaker:Search", "sagemaker:ListPipelineExecutionSteps", "s3:PutObject", "kms:GenerateDataKey"},
    "reconciler": {"sagemaker:ListPipelineExecutions", "sagemaker:DescribePipelineExecution", "sagemaker:ListPipelineExecutionSteps",
                   "sagemaker:Search", "sagemaker:DescribeExperiment",
                   "sagemaker:DescribeTrial", "sagemaker:DescribeTrialComponent", "sagemaker:AddTags", "s3:GetObject",
                   "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "kms:GenerateDataKey", "kms:Decrypt", "sns:Publish"},
}  # fmt: skip
# Every handler quarantines (an event too large for the queue goes to the lake's quarantine/ prefix); the
# on-failure destination is written by Lambda with the function's role.
COMMON_ACTIONS = {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "s3:PutObject", "kms:GenerateDataKey"}
# Where the environment records to a provisioned MLflow App (stg), the handlers that read runs call it.
MLFLOW_READERS = {"snapshotter", "reconciler"}


def expected_actions(env_app, handler: str) -> set[str]:
    mlflow = {"sagemaker:CallMlflowAppApi"} if env_app.settings.provisions_mlflow and handler in MLFLOW_READERS else set()
    return EXPECTED_ACTIONS[handler] | COMMON_ACTIONS | mlflow


@pytest.mark.parametrize("handler", sorted(EXPECTED_ACTIONS))
def test_each_handler_has_exactly_the_actions_it_calls(env_app, handler):
    actions = {a for s in role_statements(env_app, handler) for a in as_list(s["Action"])}
    assert actions == expected_actions(env_app, handler)


@pytest.mark.parametrize("handler", sorted(EXPECTED_ACTIONS))
def test_resource_star_only_for_actions_without_resource_types(env_app, handler):
    for statement in role_statements(env_app, handler):
        if "*" in as_list(statement["Resource"]):
            assert set(as_list(statement["Action"])) <= {"sagemaker:Search"}


@pytest.mark.parametrize(
    ("handler", "action", "arn", "expected"),
    [
        # Trial 1.1 of this environment's pipelines, by the convention's shape; nothing else.
        ("tagger", "sagemaker:AddTags", sm("experiment-trial/churn-prediction-{env}-p4jn9xou8a8s"), True),
        ("tagger", "sagemaker:DescribeTrial", sm("experiment-trial/churn-prediction-{env}-p4jn9xou8a8s"), True),
        ("tagger", "sagemaker:AddTags", sm("experiment-trial/churn-prediction-{other}-p4jn9xou8a8s"), False),
        ("tagger", "sagemaker:AddTags", sm("experiment-trial/fraud-{env}-p4jn9xou8a8s"), False),
        ("tagger", "sagemaker:AddTags", sm("experiment-trial/churn-prediction-{env}-p4jn9xou8a8s-analysis"), False),
        ("tagger", "sagemaker:AddTags", sm("experiment/churn-prediction-{env}-pipeline"), False),
        # The job components Pipelines' jobs create.
        ("tagger", "sagemaker:AddTags", sm("experiment-trial-component/pipelines-p4jn9xou8a8s-train-8fk2mq0zle-aws-training-job"), True),
        ("tagger", "sagemaker:DescribeTrialComponent", sm("experiment-trial-component/pipelines-p4jn9-preprocess-x-aws-processing-job"), True),
        ("tagger", "sagemaker:AddTags", sm("experiment-trial-component/my-component"), False),
        ("tagger", "s3:PutObject", f"{LAKE}/raw/metric_snapshots/dt=2026-01-02/x.json.gz", False),
        ("tagger", "sns:Publish", TOPIC, False),
        # The guard judges any name, writes audit records and notices only.
        ("naming-guard", "sagemaker:AddTags", sm("experiment/anything-at-all"), True),
        ("naming-guard", "sagemaker:DescribeTrialComponent", sm("experiment-trial-component/x"), True),
        ("naming-guard", "sagemaker:AddTags", sm("pipeline/churn-prediction-{env}"), False),
        ("naming-guard", "s3:PutObject", f"{LAKE}/audit/naming/dt=2026-01-02/abc.json.gz", True),
        ("naming-guard", "s3:PutObject", f"{LAKE}/raw/metric_snapshots/dt=2026-01-02/x.json.gz", False),
        ("naming-guard", "s3:GetObject", f"{LAKE}/audit/naming/dt=2026-01-02/abc.json.gz", False),
        ("naming-guard", "kms:GenerateDataKey", LAKE_KEY, True),
        ("naming-guard", "sns:Publish", TOPIC, True),
        ("naming-guard", "kms:GenerateDataKey", NOTICES_KEY, True),
        # The snapshotter writes snapshots and reads this environment's executions.
        ("snapshotter", "s3:PutObject", f"{LAKE}/raw/metric_snapshots/dt=2026-01-02/x.json.gz", True),
        ("snapshotter", "s3:PutObject", f"{LAKE}/raw/component_snapshots/dt=2026-01-02/x.json.gz", True),
        ("snapshotter", "s3:PutObject", f"{LAKE}/audit/naming/dt=2026-01-02/x.json.gz", False),
        ("snapshotter", "s3:PutObject", f"{LAKE}/athena-results/x.csv", False),
        ("snapshotter", "sagemaker:ListPipelineExecutionSteps", sm("pipeline/churn-prediction-{env}/execution/p4jn9xou8a8s"), True),
        ("snapshotter", "sagemaker:ListPipelineExecutionSteps", sm("pipeline/other-{env}/execution/p4jn9xou8a8s"), False),
        ("snapshotter", "sagemaker:Search", "*", True),
        # ... and marks an incomplete snapshot for the reconciler, nothing else of the reconciler's state.
        ("snapshotter", "s3:PutObject", f"{LAKE}/state/reconciler/incomplete-snapshots/p4jn9xou8a8s.json", True),
        ("snapshotter", "s3:PutObject", f"{LAKE}/state/reconciler/naming-sweep.json", False),
        ("snapshotter", "sns:Publish", TOPIC, False),
        # The reconciler: this environment's pipelines, the lake prefixes it reads and writes, the sweep.
        ("reconciler", "sagemaker:ListPipelineExecutions", sm("pipeline/churn-prediction-{env}"), True),
        ("reconciler", "sagemaker:ListPipelineExecutions", sm("pipeline/churn-prediction-{other}"), False),
        ("reconciler", "sagemaker:DescribePipelineExecution", sm("pipeline/churn-prediction-{env}/execution/p4jn9xou8a8s"), True),
        # It lists the metric snapshots' days; it reads no snapshot.
        ("reconciler", "s3:GetObject", f"{LAKE}/raw/metric_snapshots/dt=2026-01-02/x.json.gz", False),
        ("reconciler", "s3:GetObject", f"{LAKE}/state/reconciler/naming-sweep.json", True),
        ("reconciler", "s3:GetObject", f"{LAKE}/state/reconciler/incomplete-snapshots/p4jn9xou8a8s.json", True),
        ("reconciler", "s3:DeleteObject", f"{LAKE}/state/reconciler/incomplete-snapshots/p4jn9xou8a8s.json", True),
        ("reconciler", "s3:DeleteObject", f"{LAKE}/state/reconciler/naming-sweep.json", False),
        ("reconciler", "s3:DeleteObject", f"{LAKE}/raw/metric_snapshots/dt=2026-01-02/x.json.gz", False),
        ("reconciler", "s3:GetObject", f"{LAKE}/raw/component_snapshots/dt=2026-01-02/x.json.gz", False),
        ("reconciler", "s3:PutObject", f"{LAKE}/state/reconciler/naming-sweep.json", True),
        ("reconciler", "s3:PutObject", f"{LAKE}/audit/naming/dt=2026-01-02/x.json.gz", True),
        ("reconciler", "s3:ListBucket", LAKE, True),
        ("reconciler", "kms:Decrypt", LAKE_KEY, True),
        ("reconciler", "sagemaker:AddTags", sm("experiment-trial/anything"), True),
        ("reconciler", "sns:Publish", TOPIC, True),
    ],
)
def test_iam_decisions_on_sample_arns(env_app, handler, action, arn, expected):
    env = env_app.settings.name
    other = "prod" if env != "prod" else "dev"
    assert allowed(env_app, handler, action, arn.replace("{env}", env).replace("{other}", other)) is expected


@pytest.mark.parametrize("handler", sorted(EXPECTED_ACTIONS))
def test_every_handler_may_quarantine_and_reach_its_failure_destination(env_app, handler):
    assert allowed(env_app, handler, "sqs:SendMessage", QUARANTINE)
    assert allowed(env_app, handler, "sqs:SendMessage", FAILURES)
    assert not allowed(env_app, handler, "sqs:ReceiveMessage", QUARANTINE)


@pytest.mark.parametrize("handler", sorted(EXPECTED_ACTIONS))
def test_every_handler_may_keep_an_oversized_malformed_event_under_the_quarantine_prefix_only(env_app, handler):
    [keep] = [s for s in role_statements(env_app, handler) if s.get("Sid") == "KeepOversizedMalformedEvents"]
    region = env_app.settings.region
    resources = [render(resource, region=region) for resource in as_list(keep["Resource"])]
    assert (keep["Effect"], as_list(keep["Action"]), resources) == ("Allow", ["s3:PutObject"], [f"{LAKE}/quarantine/*"])
    [encrypt] = [s for s in role_statements(env_app, handler) if s.get("Sid") == "EncryptOversizedMalformedEvents"]
    assert (as_list(encrypt["Action"]), as_list(encrypt["Resource"])) == (["kms:GenerateDataKey"], [LAKE_KEY])
    assert allowed(env_app, handler, "s3:PutObject", f"{LAKE}/quarantine/dt=2026-01-02/{'a' * 64}.json.gz")
    assert not allowed(env_app, handler, "s3:PutObject", f"{LAKE}/quarantine-elsewhere/x.json.gz")
    assert not allowed(env_app, handler, "s3:GetObject", f"{LAKE}/quarantine/dt=2026-01-02/{'a' * 64}.json.gz")
    if handler != "reconciler":  # the only handler that reads the lake
        assert not allowed(env_app, handler, "kms:Decrypt", LAKE_KEY)


def test_tagging_is_limited_to_mlmeta_tags(env_app):
    for handler, allowed_keys in (("tagger", ["mlmeta:*"]), ("naming-guard", ["mlmeta:naming"]), ("reconciler", ["mlmeta:naming"])):
        tagging = [s for s in role_statements(env_app, handler) if "sagemaker:AddTags" in as_list(s["Action"])]
        assert tagging, handler
        for statement in tagging:
            (operator,) = statement["Condition"]
            assert operator.startswith("ForAllValues:")
            assert statement["Condition"][operator] == {"aws:TagKeys": allowed_keys}
