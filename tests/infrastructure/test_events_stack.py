"""The events stack: rules equal to the shared routes (mlmeta.events.routes), a DLQ and retry policy on
every target, retries and an on-failure destination on every function, an alarm on every queue, the
encryption EventBridge and CloudWatch can use, the handlers' environment from the shared builder, and the
lake reached through weak cross-stack references."""

from __future__ import annotations

import json

import botocore.session
import pytest
from cfn_values import layer_parameters, this_python

from mlmeta.config import ENVIRONMENTS
from mlmeta.config.lambda_runtime import POWERTOOLS_VERSION
from mlmeta.events.handlers import HANDLERS, EventResources, handler_environment
from mlmeta.events.routes import routes
from stacks.common.retries import DELIVERY_MAX_EVENT_AGE, DELIVERY_RETRY_ATTEMPTS, INVOKE_MAX_EVENT_AGE, INVOKE_RETRY_ATTEMPTS
from stacks.events.rules import event_pattern
from stacks.events_stack import construct_id_of

QUEUES = {"Quarantine": "QuarantineQueue7DCA55F2", "DeliveryFailures": "DeliveryFailuresQueueD44B9E7E",
          "FailedInvocations": "FailedInvocationsQueueC607D06D"}  # fmt: skip
TOPIC, TOPIC_KEY = "NoticesTopic898AF2CD", "NoticesKey98C62BF4"
# The doctor's probe rule and queue (stacks/events/doctor_probe.py, tests/infrastructure/test_events_probe.py).
PROBE_RULE, PROBE_QUEUE = "DoctorProbeRuleF3AEB0F4", "DoctorProbeQueueBBEE424D"


def resources(env_app, resource_type: str) -> dict[str, dict]:
    return env_app.resources(env_app.stacks.events, resource_type)


def template(env_app) -> dict:
    return env_app.template_json(env_app.stacks.events)


def function_id(env_app, spec) -> str:
    (logical_id,) = [
        i for i, f in resources(env_app, "AWS::Lambda::Function").items() if f["Properties"]["Handler"] == f"{spec.package}.handler.lambda_handler"
    ]
    return logical_id


def get_att(logical_id: str, attribute: str = "Arn") -> dict:
    return {"Fn::GetAtt": [logical_id, attribute]}


def test_one_rule_per_route_with_the_routes_pattern_or_schedule_and_handler(env_app):
    route_rules = {i: r for i, r in resources(env_app, "AWS::Events::Rule").items() if i != PROBE_RULE}
    rules = {r["Properties"]["Description"]: r["Properties"] for r in route_rules.values()}
    expected = routes(env_app.settings)

    assert sorted(rules) == sorted(route.description for route in expected)
    for route in expected:
        rule = rules[route.description]
        if route.pattern is not None:
            assert rule["EventPattern"] == json.loads(json.dumps(route.pattern))
            assert "ScheduleExpression" not in rule
        else:
            assert (rule["ScheduleExpression"], "EventPattern" in rule) == (route.schedule, False)
        (target,) = rule["Targets"]
        assert target["Arn"] == get_att(function_id(env_app, route.handler))
        assert "EventBusName" not in rule  # the default bus, where AWS services send their events


def test_every_target_has_the_dead_letter_queue_and_an_explicit_retry_policy(env_app):
    for rule in resources(env_app, "AWS::Events::Rule").values():
        for target in rule["Properties"]["Targets"]:
            assert target["DeadLetterConfig"] == {"Arn": get_att(QUEUES["DeliveryFailures"])}
            assert target["RetryPolicy"] == {
                "MaximumEventAgeInSeconds": DELIVERY_MAX_EVENT_AGE.to_seconds(),
                "MaximumRetryAttempts": DELIVERY_RETRY_ATTEMPTS,
            }


def test_eventbridge_may_write_to_the_dead_letter_queue_for_each_rule_only(env_app):
    rules = set(resources(env_app, "AWS::Events::Rule"))
    (policy,) = [p for p in resources(env_app, "AWS::SQS::QueuePolicy").values() if p["Properties"]["Queues"] == [{"Ref": QUEUES["DeliveryFailures"]}]]
    allowed = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert {s["Principal"]["Service"] for s in allowed} == {"events.amazonaws.com"}
    assert {s["Action"] for s in allowed} == {"sqs:SendMessage"}
    assert {s["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::GetAtt"][0] for s in allowed} == rules


def test_the_synthesized_rules_send_every_finished_status_of_sagemakers_api_to_the_snapshotter(env_app):
    """Each status of botocore's PipelineExecutionStatus enum: the finished ones (CompletedWithFailures
    included) reach the snapshotter by ExecutionFinished, and none is left to ExecutionStatusUnknown."""
    statuses = botocore.session.get_session().get_service_model("sagemaker").shape_for("PipelineExecutionStatus").enum
    patterns = {r["Properties"]["Description"]: r["Properties"].get("EventPattern") for r in resources(env_app, "AWS::Events::Rule").values()}
    (finished,) = [p for d, p in patterns.items() if d.startswith("A pipeline execution of this environment succeeded")]
    (unknown,) = [p for d, p in patterns.items() if d.startswith("A pipeline execution status the handlers do not know")]

    assert set(finished["detail"]["currentPipelineExecutionStatus"]) == {"Succeeded", "Failed", "Stopped", "CompletedWithFailures"}
    [anything_but] = unknown["detail"]["currentPipelineExecutionStatus"]
    assert set(anything_but["anything-but"]) == set(statuses)


def test_every_function_retries_then_sends_the_event_to_the_failure_queue(env_app):
    configs = {c["Properties"]["FunctionName"]["Ref"]: c["Properties"] for c in resources(env_app, "AWS::Lambda::EventInvokeConfig").values()}
    assert set(configs) == {function_id(env_app, spec) for spec in HANDLERS}
    for config in configs.values():
        assert config["MaximumRetryAttempts"] == INVOKE_RETRY_ATTEMPTS == 2
        assert config["MaximumEventAgeInSeconds"] == INVOKE_MAX_EVENT_AGE.to_seconds() == 6 * 3600
        assert config["DestinationConfig"] == {"OnFailure": {"Destination": get_att(QUEUES["FailedInvocations"])}}


@pytest.mark.parametrize("spec", HANDLERS, ids=lambda spec: spec.name)
def test_each_handler_runs_as_its_spec_says_with_the_shared_environment(env_app, spec):
    function = resources(env_app, "AWS::Lambda::Function")[function_id(env_app, spec)]["Properties"]
    python = this_python()
    lake = env_app.stacks.lake.stack_name

    assert function["Runtime"] == python
    assert function["Architectures"] == ["arm64"]
    template = env_app.template_json(env_app.stacks.events)
    assert layer_parameters(template, function) == [f"/aws/service/powertools/python/arm64/{python}/{POWERTOOLS_VERSION}"]
    assert (function["Timeout"], function["MemorySize"]) == (spec.timeout_seconds, spec.memory_mb)
    assert "ReservedConcurrentExecutions" not in function
    tracking = env_app.stacks.tracking
    resources_as_rendered = EventResources(lake_bucket="LAKE", quarantine_queue_url="QUEUE", notices_topic_arn="TOPIC",
                                           mlflow_tracking_uri="MLFLOW" if tracking else None)
    expected = handler_environment(spec, env_app.settings, resources_as_rendered)
    rendered = {
        "LAKE": {"Fn::GetStackOutput": {"StackName": lake, "Region": env_app.settings.region,
                                        "OutputName": "PublishOutputRefStorageBucket5CB7C8EA8BD21DD5"}},
        "QUEUE": {"Ref": QUEUES["Quarantine"]},
        "TOPIC": {"Ref": TOPIC},
        # The provisioned MLflow server's ARN (stg), read from the tracking stack at deploy.
        "MLFLOW": tracking and {"Fn::GetStackOutput": {"StackName": tracking.stack_name, "Region": env_app.settings.region,
                                                       "OutputName": "PublishOutputFnGetAttMlflowApp434C8BD0Arn0C950034"}},
    }  # fmt: skip
    assert function["Environment"]["Variables"] == {name: rendered.get(value, value) for name, value in expected.items()}


def test_the_tagger_may_wait_for_pipelines_and_the_reconciler_may_take_minutes():
    timeouts = {spec.name: spec.timeout_seconds for spec in HANDLERS}
    assert timeouts["tagger"] >= 60
    assert timeouts["reconciler"] == 300


def test_every_queue_alarms_the_topic_as_soon_as_a_message_is_visible(env_app):
    alarms = list(resources(env_app, "AWS::CloudWatch::Alarm").values())
    watched = {a["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0] for a in alarms}

    # The probe queue is no failure queue: the doctor reads it, nobody is called.
    assert watched == set(resources(env_app, "AWS::SQS::Queue")) - {PROBE_QUEUE} == set(QUEUES.values())
    for alarm in alarms:
        props = alarm["Properties"]
        assert (props["Namespace"], props["MetricName"], props["Statistic"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum")
        assert (props["ComparisonOperator"], props["Threshold"], props["EvaluationPeriods"]) == ("GreaterThanThreshold", 0, 1)
        assert props["TreatMissingData"] == "notBreaching"
        assert props["AlarmActions"] == [{"Ref": TOPIC}]


def test_queues_use_sqs_managed_encryption_keep_messages_14_days_and_require_tls(env_app):
    queues = resources(env_app, "AWS::SQS::Queue")
    assert set(queues) == {*QUEUES.values(), PROBE_QUEUE}
    for logical_id, queue in ((i, q) for i, q in queues.items() if i != PROBE_QUEUE):
        props = queue["Properties"]
        # SSE-SQS: EventBridge can write without a key policy (a CMK needs one; aws/sqs cannot have one).
        assert props["SqsManagedSseEnabled"] is True
        assert "KmsMasterKeyId" not in props
        assert props["MessageRetentionPeriod"] == 14 * 24 * 3600
        (policy,) = [p for p in resources(env_app, "AWS::SQS::QueuePolicy").values() if p["Properties"]["Queues"] == [{"Ref": logical_id}]]
        assert {
            "Action": "sqs:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}, "Effect": "Deny",
            "Principal": {"AWS": "*"}, "Resource": get_att(logical_id),
        } in policy["Properties"]["PolicyDocument"]["Statement"]  # fmt: skip


def test_the_topic_is_encrypted_with_a_key_cloudwatch_alarms_may_use_and_requires_tls(env_app):
    topic = resources(env_app, "AWS::SNS::Topic")[TOPIC]["Properties"]
    key = resources(env_app, "AWS::KMS::Key")[TOPIC_KEY]["Properties"]
    (topic_policy,) = resources(env_app, "AWS::SNS::TopicPolicy").values()
    statements = topic_policy["Properties"]["PolicyDocument"]["Statement"]

    assert topic["KmsMasterKeyId"] == get_att(TOPIC_KEY)
    assert key["EnableKeyRotation"] is True
    cloudwatch = [s for s in key["KeyPolicy"]["Statement"] if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}]
    assert [sorted(s["Action"]) for s in cloudwatch] == [["kms:Decrypt", "kms:GenerateDataKey*"]]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements)
    (alarms,) = [s for s in statements if s["Effect"] == "Allow"]
    assert (alarms["Principal"], alarms["Action"]) == ({"Service": "cloudwatch.amazonaws.com"}, "sns:Publish")
    assert alarms["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}


def test_the_lake_is_reached_through_weak_references_only(env_app):
    text = json.dumps(template(env_app))
    lake = env_app.stacks.lake

    assert "Fn::ImportValue" not in text
    assert f'"StackName": "{lake.stack_name}"' in text
    assert lake in env_app.stacks.events.dependencies


def test_the_stack_is_stateless_but_keeps_the_ids_of_what_holds_messages_and_subscriptions(env_app):
    events = env_app.stacks.events
    found = template(env_app)["Resources"]
    assert env_app.artifact(events).termination_protection in (None, False)
    # A renamed queue or topic would be replaced: waiting messages and e-mail subscriptions would be lost.
    for logical_id, resource_type in [*((q, "AWS::SQS::Queue") for q in QUEUES.values()), (TOPIC, "AWS::SNS::Topic"),
                                      (TOPIC_KEY, "AWS::KMS::Key")]:  # fmt: skip
        assert found[logical_id]["Type"] == resource_type


def test_each_embedded_environment_has_its_trail_of_write_management_events(env_app):
    (trail,) = resources(env_app, "AWS::CloudTrail::Trail").values()
    assert trail["Properties"]["TrailName"] == f"mlmeta-{env_app.settings.name}-management-events"
    assert trail["Properties"]["IsLogging"] is True


def test_outputs_name_the_topic_and_the_quarantine(env_app):
    outputs = template(env_app)["Outputs"]
    assert outputs["NoticesTopicArn"]["Value"] == {"Ref": TOPIC}
    assert outputs["QuarantineQueueUrl"]["Value"] == {"Ref": QUEUES["Quarantine"]}


def test_construct_ids_of_the_handlers():
    assert [construct_id_of(spec) for spec in HANDLERS] == ["Tagger", "NamingGuard", "Snapshotter", "Reconciler"]


def test_every_configured_environment_creates_its_trail_by_default():
    # Without a declared organisation trail, each embedded environment creates its own (docs/deploying.md).
    assert {name: (settings.create_trail, settings.existing_trail) for name, settings in ENVIRONMENTS.items()} == dict.fromkeys(
        ENVIRONMENTS, (True, None)
    )


def test_a_pattern_field_that_is_not_an_event_field_is_refused():
    with pytest.raises(ValueError, match=r"\['detailType'\] are not top-level fields"):
        event_pattern({"source": ["aws.sagemaker"], "detailType": ["x"]})
