"""The deploy rehearsal of dev (mlmeta.local.rehearsal): the synthesized templates deployed into an embedded moto
server through CloudFormation's API, then events replayed against what was deployed. One deployment
for the module (about 3 s); each test reads it, the replay test adds SageMaker state and events.

What moto's CloudFormation can create is read from moto itself (its model map), so these tests state
the rule (deployed or skipped with a reason, never silently absent), not this moto version's numbers;
docs/deploying.md has the measured table."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from moto.cloudformation.parsing import get_model_map
from moto_gaps import pipelines_ran, sagemaker_like_aws
from runtime_shapes import EXECUTION_ID, SNAPSHOT_DT

from mlmeta.config import get_environment
from mlmeta.local.demo.aws_events import AwsNames, eda_event
from mlmeta.local.demo.history import EdaAction
from mlmeta.local.event_files import EventInput
from mlmeta.local.emulator import LocalNames, clients
from mlmeta_contract.lake.records import decode_records
from mlmeta_contract.lake.schema import NAMING_AUDIT
from mlmeta_contract.naming.tags import TAG_NAMING
from mlmeta.local.rehearsal.assembly import read_assembly
from mlmeta.local.rehearsal.deploy import CREATE_COMPLETE, NOTHING_TO_CREATE
from mlmeta.local.rehearsal.rehearse import rehearsed
from mlmeta.local.rehearsal.report import render_text
from mlmeta.local.rehearsal.template_fit import UNSUPPORTED

SETTINGS = get_environment("dev")
EVENTS = Path(__file__).resolve().parents[1] / "events"
EDA_EXPERIMENT = "churn-prediction-eda-ikazaki"  # provisioned by the experiments stack's custom resource
OFF_CONVENTION_TRIAL = f"{EDA_EXPERIMENT}-20260514-Holdout-Check"


@pytest.fixture(scope="module")
def rehearsal(dev_assembly):
    with rehearsed(SETTINGS, dev_assembly, io.StringIO()) as deployed:
        yield deployed


@pytest.fixture(scope="module")
def stacks(dev_assembly):
    return {stack.name: stack for stack in read_assembly(dev_assembly)}


@pytest.fixture(scope="module")
def aws(rehearsal):
    return clients(rehearsal.endpoint, SETTINGS.region, "s3", "sqs", "sns", "sagemaker", "sagemaker-metrics", "lambda", "events",
                   "cloudformation")


def creatable(resource_type: str) -> bool:
    return resource_type in get_model_map() or resource_type.startswith("Custom::")


def test_every_resource_is_deployed_or_skipped_with_its_reason(rehearsal, stacks):
    assert [report.name for report in rehearsal.deployed.stacks] == list(stacks)
    for report in rehearsal.deployed.stacks:
        types = stacks[report.name].resource_types
        assert report.status in (CREATE_COMPLETE, NOTHING_TO_CREATE), report.reason
        skipped = {s.logical_id for s in report.skipped}
        assert sorted([*report.deployed, *skipped]) == sorted(types), report.name
        for s in report.skipped:
            # Skipped because moto cannot create the type, or because it needs what was skipped.
            assert (s.cause == UNSUPPORTED) == (not creatable(s.resource_type)), s
            assert s.reason
        assert all(creatable(types[logical_id]) for logical_id in report.deployed)
    assert rehearsal.deployed.complete and rehearsal.ok


def test_what_the_templates_create_exists_in_the_emulator(rehearsal, stacks, aws):
    events = rehearsal.deployed.stack(SETTINGS.stack_name("events"))
    deployed_types = Counter(stacks[events.name].resource_types[logical_id] for logical_id in events.deployed)
    # The event path end to end: the handlers, their rules (and the doctor's probe rule, whose target is
    # its queue), and the queues and topic they write to.
    assert deployed_types["AWS::Lambda::Function"] == 4 and deployed_types["AWS::Events::Rule"] == 7
    rules = aws["events"].list_rules(NamePrefix=SETTINGS.stack_name("events"))["Rules"]
    assert len(rules) == 7 and {r["State"] for r in rules} == {"ENABLED"}
    targets = {t["Arn"] for r in rules for t in aws["events"].list_targets_by_rule(Rule=r["Name"])["Targets"]}
    handler_targets = {arn for arn in targets if ":lambda:" in arn}
    assert handler_targets == {f.arn for f in rehearsal.deployment.functions.values()}
    assert [arn for arn in targets - handler_targets] == [aws["sqs"].get_queue_attributes(
        QueueUrl=rehearsal.deployed.stack(SETTINGS.stack_name("events")).outputs["DoctorProbeQueueUrl"],
        AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]]

    # The experiments' custom resources, answered by the provisioner's code with its deployed environment.
    experiments = rehearsal.deployed.stack(SETTINGS.stack_name("experiments"))
    assert {(a.physical_id, a.status) for a in experiments.custom_resources} == {
        ("churn-prediction-dev-pipeline", "SUCCESS"), (EDA_EXPERIMENT, "SUCCESS")}
    arn = aws["sagemaker"].describe_experiment(ExperimentName=EDA_EXPERIMENT)["ExperimentArn"]
    tags = {t["Key"]: t["Value"] for t in aws["sagemaker"].list_tags(ResourceArn=arn)["Tags"]}
    assert tags[TAG_NAMING] == "compliant" and tags["mlmeta:kind"] == "eda-experiment"


def test_the_deployed_handlers_are_wired_to_the_deployed_bucket_queue_and_topic(rehearsal, aws):
    resources = rehearsal.deployment.resources
    lake = rehearsal.deployed.stack(SETTINGS.stack_name("lake"))
    assert resources.lake_bucket == lake.outputs["LakeBucketName"]
    # CloudFormation named the bucket: not the name the local stand-ins use.
    assert resources.lake_bucket != LocalNames.of(SETTINGS).lake_bucket
    assert rehearsal.wiring and all(check.ok for check in rehearsal.wiring)
    subjects = {check.subject for check in rehearsal.wiring}
    assert {"snapshotter LAKE_BUCKET", "naming-guard NOTICES_TOPIC_ARN", "tagger QUARANTINE_QUEUE_URL"} <= subjects
    snapshotter = rehearsal.deployment.functions["snapshotter"]
    configuration = aws["lambda"].get_function_configuration(FunctionName=snapshotter.name)
    assert snapshotter.environment == configuration["Environment"]["Variables"]


def test_the_report_lists_each_stacks_skipped_types(rehearsal, stacks):
    text = render_text(rehearsal)
    for report in rehearsal.deployed.stacks:
        row = f"{report.name}  "
        assert any(line.startswith(row) and f"{len(report.deployed)} of {len(stacks[report.name].resource_types)}" in line
                   for line in text.splitlines()), report.name
        unsupported = Counter(t for t in stacks[report.name].resource_types.values() if not creatable(t))
        for resource_type, count in unsupported.items():
            assert f"  {resource_type} x{count}: " in text


def test_events_replayed_against_the_deployment_land_in_the_deployed_lake_topic_and_tags(rehearsal, aws):
    pipelines_ran(aws["sagemaker"], aws["sagemaker-metrics"], experiment_deployed=True)
    trial_arn = aws["sagemaker"].create_trial(TrialName=OFF_CONVENTION_TRIAL, ExperimentName=EDA_EXPERIMENT)["TrialArn"]
    notices = _subscribe(aws, rehearsal.deployment.resources.notices_topic_arn)
    created = EdaAction(datetime(2026, 5, 14, 10, 49, 31, tzinfo=UTC), "ikazaki", "experiment-trial", OFF_CONVENTION_TRIAL,
                        EDA_EXPERIMENT, violation=True)
    create_trial = eda_event(created, trial_arn, AwsNames(SETTINGS.region, "churn-prediction-dev", seed=1))
    replayer = rehearsal.replayer(io.StringIO())

    with sagemaker_like_aws():
        succeeded = replayer.replay(EventInput("pipeline_execution_succeeded.json",
                                               json.loads((EVENTS / "pipeline_execution_succeeded.json").read_text())))
        guarded = replayer.replay(EventInput("CreateTrial", create_trial))

    rules = {route.name: route.handler.name for route in rehearsal.deployment.routes}
    assert (succeeded.outcome, succeeded.results) == ("handled", {"snapshotter": "written"})
    assert (guarded.outcome, guarded.results) == ("handled", {"naming-guard": "checked"})
    assert [rules[name] for name in succeeded.routes + guarded.routes] == ["snapshotter", "naming-guard"]
    assert all(name.startswith(SETTINGS.stack_name("events")) for name in succeeded.routes + guarded.routes)

    bucket = rehearsal.deployment.resources.lake_bucket
    keys = {o["Key"] for o in aws["s3"].list_objects_v2(Bucket=bucket)["Contents"]}
    metric_key = f"raw/metric_snapshots/dt={SNAPSHOT_DT}/{EXECUTION_ID}.json.gz"
    assert {metric_key, f"raw/component_snapshots/dt={SNAPSHOT_DT}/{EXECUTION_ID}.json.gz"} <= keys
    metrics = decode_records(aws["s3"].get_object(Bucket=bucket, Key=metric_key)["Body"].read())
    assert ("auc", 0.91) in {(m["metric_name"], m["metric_value"]) for m in metrics}

    [audit_key] = [key for key in keys if key.startswith(f"{NAMING_AUDIT.prefix}/dt=2026-05-14/")]
    [record] = decode_records(aws["s3"].get_object(Bucket=bucket, Key=audit_key)["Body"].read())
    assert (record["resource_name"], record["resource_arn"], record["verdict"], record["rule"]) == (
        OFF_CONVENTION_TRIAL, trial_arn, "violation", "uppercase")
    tags = {t["Key"]: t["Value"] for t in aws["sagemaker"].list_tags(ResourceArn=trial_arn)["Tags"]}
    assert tags[TAG_NAMING] == "violation"
    [notice] = [json.loads(m["Body"]) for m in aws["sqs"].receive_message(QueueUrl=notices, MaxNumberOfMessages=10)["Messages"]]
    assert (notice["kind"], notice["resource_name"], notice["audit_key"]) == ("naming-violation", OFF_CONVENTION_TRIAL, audit_key)


def _subscribe(aws, topic_arn: str) -> str:
    """A queue subscribed to the deployed topic (what an operator's subscription would receive); its URL."""
    url = aws["sqs"].create_queue(QueueName="rehearsal-notices-inbox")["QueueUrl"]
    queue_arn = aws["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws["sns"].subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    return url
