"""The doctor's probe event, shared by the events stack's probe rule (stacks/events/doctor_probe.py) and
``mlmeta doctor``: an event of source ``mlmeta.doctor`` that only the environment's probe rule matches,
delivered to the probe queue, whose URL the events stack outputs."""

from __future__ import annotations

import json
from typing import Any

SOURCE = "mlmeta.doctor"
DETAIL_TYPE = "mlmeta doctor probe"
# The events stack's output that names the probe queue.
QUEUE_URL_OUTPUT = "DoctorProbeQueueUrl"


def probe_pattern(environment: str) -> dict[str, Any]:
    """The probe rule's pattern: one environment's probes only, so that environments sharing an account and
    region do not fill each other's probe queues."""
    return {"source": [SOURCE], "detail-type": [DETAIL_TYPE], "detail": {"environment": [environment]}}


def probe_entry(environment: str, probe_id: str) -> dict[str, str]:
    """The PutEvents entry of one probe (on the default bus)."""
    return {"Source": SOURCE, "DetailType": DETAIL_TYPE, "Detail": json.dumps({"environment": environment, "probe_id": probe_id})}


def probe_id_of(message_body: str) -> str | None:
    """The probe id of a probe queue message (an EventBridge event as JSON), None if it is not a probe."""
    try:
        event = json.loads(message_body)
    except ValueError:
        return None
    if not isinstance(event, dict) or event.get("source") != SOURCE or event.get("detail-type") != DETAIL_TYPE:
        return None
    detail = event.get("detail")
    probe_id = detail.get("probe_id") if isinstance(detail, dict) else None
    return probe_id if isinstance(probe_id, str) else None
