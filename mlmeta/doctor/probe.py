"""Post-deploy: an event sent with events PutEvents arrives. The doctor sends a probe with a unique id to
the default bus; the events stack's probe rule delivers it to the probe queue, where the doctor polls
for it (sqs ReceiveMessage, long polling, bounded) and deletes it. Probes left by an interrupted run are
deleted on the way; any other message is made visible again at once and left alone."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable

from mlmeta.doctor.cloudformation import find_stack, stack_output
from mlmeta.doctor.context import DoctorContext
from mlmeta.doctor.deployed_stacks import deploy_command
from mlmeta.doctor.probe_event import QUEUE_URL_OUTPUT, probe_entry, probe_id_of
from mlmeta.doctor.result import CheckResult, failed, passed

CHECK = "event probe"
DEFAULT_TIMEOUT_SECONDS = 30.0
# SQS long polling waits at most 20 s per ReceiveMessage.
MAX_WAIT_SECONDS = 20


def check_probe(
    ctx: DoctorContext,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
) -> CheckResult:
    stack_name = ctx.settings.stack_name("events")
    stack = find_stack(ctx.aws("cloudformation"), stack_name)
    queue_url = stack_output(stack, QUEUE_URL_OUTPUT) if stack else None
    if queue_url is None:
        what = "is not deployed" if stack is None else f"has no output {QUEUE_URL_OUTPUT} (deployed before the probe existed)"
        return failed(CHECK, f"stack {stack_name} {what}", deploy_command(ctx.settings))

    probe_id = new_id()
    sent = ctx.aws("events").put_events(Entries=[probe_entry(ctx.settings.name, probe_id)])
    if sent["FailedEntryCount"]:
        (entry,) = sent["Entries"]
        return failed(
            CHECK, f"PutEvents refused the probe: {entry.get('ErrorCode')}: {entry.get('ErrorMessage')}", "allow events:PutEvents on the default bus to the caller"
        )
    started = clock()
    waited = _wait_for(ctx, queue_url, probe_id, deadline=started + timeout, clock=clock)
    if waited is None:
        return failed(
            CHECK,
            f"probe {probe_id} did not arrive in {queue_url} within {timeout:g} s",
            f"check that the DoctorProbe rule of {stack_name} is ENABLED and targets the probe queue; "
            "EventBridge's delivery failures land in its DeliveryFailures queue",
        )
    return passed(CHECK, f"probe {probe_id} arrived in {waited - started:.1f} s and was deleted")


def _wait_for(ctx: DoctorContext, queue_url: str, probe_id: str, *, deadline: float, clock: Callable[[], float]) -> float | None:
    """When the probe was received (clock time), or None once the deadline passes."""
    sqs = ctx.aws("sqs")
    while (remaining := deadline - clock()) > 0:
        wait = min(MAX_WAIT_SECONDS, max(1, math.ceil(remaining)))
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get("Messages", [])
        arrived = False
        for message in messages:
            found = probe_id_of(message["Body"])
            if found is None:
                # Not the doctor's: visible again at once for whoever else reads the queue.
                sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
                continue
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            arrived = arrived or found == probe_id
        if arrived:
            return clock()
    return None
