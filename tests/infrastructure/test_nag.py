"""cdk-nag AwsSolutions: no unacknowledged finding of any severity, and every acknowledgement explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import Stack
from aws_cdk import aws_s3 as s3

from stacks.common import nag
from stacks.mlmeta_app import create_app

# Every acknowledged rule, by (logical ID, rule). Adding one is a reviewed decision: add it here and
# to docs/infrastructure.md.
_EDA_ARN = "arn:aws:sagemaker:ap-northeast-1:<AWS::AccountId>:{}/churn-prediction-eda-{}"
EXPECTED_ACKNOWLEDGEMENTS = {
    ("StorageAccessLogs96FB524C", "AwsSolutions-S1"),
    # Experiments stack (docs/experiments.md): the Provider framework invokes its handler's versions; the
    # guardrail's wildcards are the naming convention's free-text parts.
    ("ProvisionerProviderRoleDefaultPolicy8A4BD29A", "AwsSolutions-IAM5[Resource::<ProvisionerHandlerFunctionBD5D5E53.Arn>:*]"),
    ("NamingGuardrailPolicy8D3C7334", f"AwsSolutions-IAM5[Resource::{_EDA_ARN.format('experiment', '*')}]"),
    ("NamingGuardrailPolicy8D3C7334", f"AwsSolutions-IAM5[Resource::{_EDA_ARN.format('experiment-trial', '*-????????-*')}]"),
    (
        "NamingGuardrailPolicy8D3C7334",
        f"AwsSolutions-IAM5[Resource::{_EDA_ARN.format('experiment-trial-component', '*-????????-*-*')}]",
    ),
}
_SAGEMAKER_ARN = "arn:aws:sagemaker:ap-northeast-1:<AWS::AccountId>"
_LOG_GROUP_ARN = "arn:aws:logs:ap-northeast-1:<AWS::AccountId>:log-group:/aws/sagemaker/{}:*"
_CONVENTION_ARN = "arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>"


def pipeline_acknowledgements(env: str) -> set[tuple[str, str]]:
    """Pipeline stacks (docs/pipelines.md): the artifacts' access-log bucket, and the execution role's
    wildcards (run-time names: execution prefixes, job names, log streams, package versions)."""
    resources = [
        "<ArtifactsBucket88671897.Arn>/executions/*",
        "<ArtifactsBucket88671897.Arn>/input/*",
        "*",
        _LOG_GROUP_ARN.format("ProcessingJobs"),
        _LOG_GROUP_ARN.format("TrainingJobs"),
        f"{_SAGEMAKER_ARN}:processing-job/pipelines-*",
        f"{_SAGEMAKER_ARN}:training-job/pipelines-*",
        f"{_SAGEMAKER_ARN}:model-package/churn-prediction-{env}/*",
        f"{_SAGEMAKER_ARN}:experiment-trial-component/pipelines-*",
        f"{_CONVENTION_ARN}:experiment-trial-component/churn-prediction-{env}-????????????-analysis-*",
    ]
    return {("ArtifactsAccessLogs4D97777C", "AwsSolutions-S1")} | {
        ("ExecutionRolePolicy79A7F477", f"AwsSolutions-IAM5[Resource::{resource}]") for resource in resources
    }


def events_acknowledgements(env: str) -> set[tuple[str, str]]:
    """Events stack (docs/events.md): queues that are themselves the end of the line; handler policies'
    wildcards (actions without resource types, every experiment entity for the naming guard, run-time
    execution ids and job names, the lake prefixes each handler writes)."""
    lake = (
        '{"Fn::GetStackOutput":{"StackName":"mlmeta-%s-lake","Region":"ap-northeast-1",'
        '"OutputName":"PublishOutputFnGetAttStorageBucket5CB7C8EAArnD5536396"}}' % env
    )
    entities = [f"{_SAGEMAKER_ARN}:{kind}/*" for kind in ("experiment", "experiment-trial", "experiment-trial-component")]
    executions = f"{_SAGEMAKER_ARN}:pipeline/churn-prediction-{env}/execution/*"
    policies = {
        "TaggerPermissions9C7A357A": [
            f"{_SAGEMAKER_ARN}:experiment-trial-component/pipelines-*-aws-{job}-job" for job in ("processing", "training", "transform")
        ],
        "NamingGuardPermissions9790A9AA": [*entities, f"{lake}/audit/naming/*"],
        "SnapshotterPermissionsE243DF23": ["*", executions, f"{lake}/raw/metric_snapshots/*", f"{lake}/raw/component_snapshots/*",
                                           f"{lake}/state/reconciler/incomplete-snapshots/*"],
        "ReconcilerPermissions8D4F92D6": [
            "*", executions, *entities,
            *(f"{lake}/{prefix}/*" for prefix in ("raw/metric_snapshots", "raw/component_snapshots", "audit/naming", "state/reconciler",
                                                  "state/reconciler/incomplete-snapshots")),
        ],
    }  # fmt: skip
    for resources in policies.values():
        resources.append(f"{lake}/quarantine/*")  # every handler keeps oversized malformed events there
    # The doctor's probe queue too: the doctor deletes what it reads, the rest expires within the hour.
    queues = {"QuarantineQueue7DCA55F2", "DeliveryFailuresQueueD44B9E7E", "FailedInvocationsQueueC607D06D", "DoctorProbeQueueBBEE424D"}
    # The trail's access-log bucket (create_trail, every embedded environment): as for the lake's.
    return {(queue, "AwsSolutions-SQS3") for queue in queues} | {("TrailAccessLogsFEE33FE3", "AwsSolutions-S1")} | {
        (policy, f"AwsSolutions-IAM5[Resource::{resource}]") for policy, resources in policies.items() for resource in resources
    }


def compaction_acknowledgements(env: str) -> set[tuple[str, str]]:
    """Compaction stack (docs/compaction.md): its two end-of-the-line queues, and the object keys below
    the lake prefixes the compactor reads and writes."""
    lake = (
        '{"Fn::GetStackOutput":{"StackName":"mlmeta-%s-lake","Region":"ap-northeast-1",'
        '"OutputName":"PublishOutputFnGetAttStorageBucket5CB7C8EAArnD5536396"}}' % env
    )
    prefixes = [
        "raw/metric_snapshots", "raw/component_snapshots", "audit/naming",
        "compacted/metric_snapshots", "compacted/component_snapshots", "compacted/naming_audit", "state/compaction",
    ]  # fmt: skip
    queues = {"CompactorFailedRunsQueue9CC1CF16", "CompactorDeliveryFailuresQueueD3C445C0"}
    return {(queue, "AwsSolutions-SQS3") for queue in queues} | {
        ("CompactorPermissions28D7B082", f"AwsSolutions-IAM5[Resource::{lake}/{prefix}/*]") for prefix in prefixes
    }


def tracking_acknowledgements(env_app) -> set[tuple[str, str]]:
    """Tracking stack (stg: a serverless MLflow App, docs/infrastructure.md): the artifact store's access-log
    bucket, and the objects MLflow names at run time under artifacts/."""
    if env_app.stacks.tracking is None:
        return set()
    return {("MlflowStorageAccessLogs7464401D", "AwsSolutions-S1"),
            ("MlflowServicePolicy3AD1BF57", "AwsSolutions-IAM5[Resource::<MlflowStorageBucket494E5549.Arn>/artifacts/*]")}


MIN_REASON_CHARS = 30


def acknowledgements(env_app) -> list[tuple[str, str, str]]:
    """(logical ID, rule, reason) from the cdk_nag Metadata that the checks write into each template."""
    found = []
    for stack in env_app.stacks.all():
        for logical_id, resource in env_app.template_json(stack)["Resources"].items():
            for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []):
                found.append((logical_id, rule["id"], rule["reason"]))
    return found


def test_no_unacknowledged_finding_of_any_severity(env_app):
    root = env_app.stacks.lake.node.root
    report = nag.checks(root).validate_scope(root)
    findings = [
        (v.rule_name, v.severity, [r.construct_path or r.resource_logical_id for r in v.violating_resources])
        for v in report.violations
    ]
    assert findings == []
    assert report.success is True


def test_validation_report_of_the_synth_is_clean(env_app):
    assert env_app.validation_report["pluginReports"] == []


def python_runtime_acknowledgements(env_app) -> set[tuple[str, str]]:
    """Every Python function (stacks/common/python_lambda.py): python3.13, the tests' interpreter, not the newest."""
    return {
        (logical_id, "AwsSolutions-L1")
        for stack in env_app.stacks.all()
        for logical_id, resource in env_app.resources(stack, "AWS::Lambda::Function").items()
        if resource["Properties"].get("Runtime", "").startswith("python")
    }


def test_acknowledgements_are_the_reviewed_ones(env_app):
    env = env_app.settings.name
    expected = EXPECTED_ACKNOWLEDGEMENTS | pipeline_acknowledgements(env) | events_acknowledgements(env) | compaction_acknowledgements(env)
    expected |= python_runtime_acknowledgements(env_app) | tracking_acknowledgements(env_app)
    assert {(logical_id, rule) for logical_id, rule, _ in acknowledgements(env_app)} == expected


def test_every_acknowledgement_gives_a_reason_of_substance(env_app):
    for logical_id, rule, reason in acknowledgements(env_app):
        assert len(reason.strip()) >= MIN_REASON_CHARS, (logical_id, rule, reason)
        assert rule not in reason, "a reason says why the rule does not apply, not which rule it is"


def test_suppress_refuses_a_short_reason():
    stack = Stack(create_app(), "Probe")
    bucket = s3.Bucket(stack, "Bucket")
    with pytest.raises(ValueError, match="at least 30 characters"):
        nag.suppress(bucket, "AwsSolutions-S1", "not needed")


def test_the_app_fails_synth_on_a_finding(tmp_path):
    # Proves the checks are wired into create_app, so "no findings" above is not vacuous.
    app = create_app(outdir=str(tmp_path))
    s3.Bucket(Stack(app, "Probe"), "Plain")
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((Path(tmp_path) / "validation-report.json").read_text())
    rules = {v["ruleName"] for plugin in report["pluginReports"] for v in plugin["violations"]}
    assert {"AwsSolutions-S1", "AwsSolutions-S10"} <= rules

