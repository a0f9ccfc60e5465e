"""The event probe on moto: EventBridge PutEvents, the probe rule (the stack's pattern) delivering to the
probe queue, SQS long polling. A PutEvents entry refused by EventBridge through the Stubber (moto accepts
every entry), with PutEvents' documented response shape."""

from __future__ import annotations

import json

from doctor_world import context, create_stack, events_stack_resources, moto_client, stubbed

from mlmeta.doctor.probe import check_probe
from mlmeta.doctor.probe_event import QUEUE_URL_OUTPUT, probe_entry

EVENTS = "mlmeta-dev-events"


def deploy_probe(*, output: bool = True) -> dict[str, str]:
    outputs = {QUEUE_URL_OUTPUT: {"Value": {"Ref": "DoctorProbeQueue"}}} if output else None
    create_stack(EVENTS, events_stack_resources("dev"), outputs)
    summaries = moto_client("cloudformation").list_stack_resources(StackName=EVENTS)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries}


def waiting_messages(queue_url: str) -> list[str]:
    response = moto_client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return [m["Body"] for m in response.get("Messages", [])]


def test_a_probe_sent_to_the_bus_arrives_in_the_probe_queue_and_is_deleted():
    physical = deploy_probe()
    result = check_probe(context(), timeout=5, new_id=lambda: "probe-1")
    assert result.ok
    assert result.detail.startswith("probe probe-1 arrived in ") and result.detail.endswith(" s and was deleted")
    assert waiting_messages(physical["DoctorProbeQueue"]) == []


def test_probes_of_an_earlier_run_are_deleted_and_other_messages_are_left_alone():
    physical = deploy_probe()
    events = moto_client("events")
    events.put_events(Entries=[probe_entry("dev", "left-by-an-interrupted-run")])
    moto_client("sqs").send_message(QueueUrl=physical["DoctorProbeQueue"], MessageBody=json.dumps({"not": "a probe"}))

    assert check_probe(context(), timeout=5, new_id=lambda: "probe-2").ok
    assert waiting_messages(physical["DoctorProbeQueue"]) == [json.dumps({"not": "a probe"})]


def lose_the_probe_target(rule: str) -> None:
    # moto delivers to a disabled rule's targets too, so the probe is lost by taking its target away.
    moto_client("events").remove_targets(Rule=rule, Ids=["Target0"])


def test_a_probe_that_does_not_arrive_fails_after_the_timeout():
    physical = deploy_probe()
    lose_the_probe_target(physical["DoctorProbeRule"])
    result = check_probe(context(), timeout=1, new_id=lambda: "probe-3")
    assert not result.ok
    assert result.detail == f"probe probe-3 did not arrive in {physical['DoctorProbeQueue']} within 1 s"
    assert "DoctorProbe rule of mlmeta-dev-events is ENABLED" in result.fix


def test_the_wait_is_bounded_by_the_timeout_and_long_polls_at_most_20_s():
    physical = deploy_probe()
    lose_the_probe_target(physical["DoctorProbeRule"])
    sqs, stub = stubbed("sqs")
    queue = physical["DoctorProbeQueue"]
    for wait in (20, 10):
        stub.add_response("receive_message", {}, {"QueueUrl": queue, "MaxNumberOfMessages": 10, "WaitTimeSeconds": wait})
    ticks = iter([0.0, 0.0, 20.0, 40.0])  # sent, first poll (30 s left), second poll (10 s left), past the deadline
    with stub:
        result = check_probe(context(sqs=sqs), timeout=30, clock=lambda: next(ticks), new_id=lambda: "probe-4")
    assert not result.ok and "within 30 s" in result.detail


def test_an_events_stack_without_the_probe_output_fails_with_the_deploy_command():
    deploy_probe(output=False)
    result = check_probe(context())
    assert (result.ok, result.detail) == (False, f"stack {EVENTS} has no output {QUEUE_URL_OUTPUT} (deployed before the probe existed)")
    assert result.fix == "make deploy ENV=dev"


def test_no_events_stack_fails():
    result = check_probe(context())
    assert (result.ok, result.detail) == (False, f"stack {EVENTS} is not deployed")


def test_a_probe_eventbridge_refuses_fails_with_its_error():
    deploy_probe()
    events, stub = stubbed("events")
    refused = {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "AccessDeniedException", "ErrorMessage": "not authorized to put events"}]}
    stub.add_response("put_events", refused, {"Entries": [probe_entry("dev", "probe-5")]})
    with stub:
        result = check_probe(context(events=events), new_id=lambda: "probe-5")
    assert (result.ok, result.detail) == (False, "PutEvents refused the probe: AccessDeniedException: not authorized to put events")
