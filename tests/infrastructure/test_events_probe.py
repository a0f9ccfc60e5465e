"""The doctor's probe in the events stack (stacks/events/doctor_probe.py): a rule that takes the doctor's
probe events of this environment only, to a queue of its own that is SSE-SQS, TLS-only, short-lived,
and writable by EventBridge for that rule only; the rules' DLQ and retry policy; the queue URL output."""

from __future__ import annotations

import json

from mlmeta.doctor.probe_event import DETAIL_TYPE, QUEUE_URL_OUTPUT, SOURCE, probe_entry, probe_pattern
from mlmeta.events.patterns import matches
from stacks.events.doctor_probe import RETENTION
from stacks.common.retries import DELIVERY_MAX_EVENT_AGE, DELIVERY_RETRY_ATTEMPTS

PROBE_RULE, PROBE_QUEUE = "DoctorProbeRuleF3AEB0F4", "DoctorProbeQueueBBEE424D"
DELIVERY_FAILURES = "DeliveryFailuresQueueD44B9E7E"


def events_resources(env_app, resource_type: str) -> dict[str, dict]:
    return env_app.resources(env_app.stacks.events, resource_type)


def as_delivered(entry: dict[str, str], account: str = "123456789012", region: str = "ap-northeast-1") -> dict:
    """The event EventBridge makes of a PutEvents entry (the envelope of "Amazon EventBridge events")."""
    return {
        "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": entry["DetailType"],
        "source": entry["Source"], "account": account, "time": "2026-12-01T10:00:00Z", "region": region,
        "resources": [], "detail": json.loads(entry["Detail"]),
    }  # fmt: skip


def test_the_probe_rule_takes_this_environments_probes_only(env_app):
    env = env_app.settings.name
    rule = events_resources(env_app, "AWS::Events::Rule")[PROBE_RULE]["Properties"]

    assert rule["EventPattern"] == probe_pattern(env) == {
        "source": [SOURCE], "detail-type": [DETAIL_TYPE], "detail": {"environment": [env]},
    }  # fmt: skip
    assert rule["State"] == "ENABLED"
    assert matches(rule["EventPattern"], as_delivered(probe_entry(env, "p1")))
    assert not matches(rule["EventPattern"], as_delivered(probe_entry(f"{env}-other", "p1")))
    assert not matches(rule["EventPattern"], {**as_delivered(probe_entry(env, "p1")), "source": "aws.sagemaker"})


def test_the_probe_rule_targets_the_probe_queue_with_the_rules_dlq_and_retry_policy(env_app):
    (target,) = events_resources(env_app, "AWS::Events::Rule")[PROBE_RULE]["Properties"]["Targets"]

    assert target["Arn"] == {"Fn::GetAtt": [PROBE_QUEUE, "Arn"]}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [DELIVERY_FAILURES, "Arn"]}}
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": DELIVERY_MAX_EVENT_AGE.to_seconds(), "MaximumRetryAttempts": DELIVERY_RETRY_ATTEMPTS}


def test_the_probe_queue_is_sse_sqs_short_lived_and_unalarmed(env_app):
    queue = events_resources(env_app, "AWS::SQS::Queue")[PROBE_QUEUE]["Properties"]

    assert queue["SqsManagedSseEnabled"] is True
    assert "KmsMasterKeyId" not in queue
    assert queue["MessageRetentionPeriod"] == RETENTION.to_seconds() == 3600
    watched = {json.dumps(a["Properties"]["Dimensions"]) for a in events_resources(env_app, "AWS::CloudWatch::Alarm").values()}
    assert not any(PROBE_QUEUE in dimensions for dimensions in watched)


def test_only_eventbridge_for_the_probe_rule_may_send_to_the_probe_queue_and_only_over_tls(env_app):
    (policy,) = [
        p["Properties"] for p in events_resources(env_app, "AWS::SQS::QueuePolicy").values() if p["Properties"]["Queues"] == [{"Ref": PROBE_QUEUE}]
    ]
    deny, allow = sorted(policy["PolicyDocument"]["Statement"], key=lambda s: s["Effect"] != "Deny")
    queue_arn = {"Fn::GetAtt": [PROBE_QUEUE, "Arn"]}

    assert deny == {
        "Action": "sqs:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}, "Effect": "Deny",
        "Principal": {"AWS": "*"}, "Resource": queue_arn,
    }  # fmt: skip
    assert (allow["Principal"], allow["Action"], allow["Resource"]) == ({"Service": "events.amazonaws.com"}, "sqs:SendMessage", queue_arn)
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [PROBE_RULE, "Arn"]}}}


def test_the_stack_outputs_the_probe_queue_url(env_app):
    outputs = env_app.template_json(env_app.stacks.events)["Outputs"]
    assert outputs[QUEUE_URL_OUTPUT]["Value"] == {"Ref": PROBE_QUEUE}
