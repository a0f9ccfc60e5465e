"""Malformed events: logged at ERROR with the event id and the offending field, then sent whole to
the quarantine queue so that nothing is dropped, and the handler returns normally so that Lambda
does not retry an event that can never succeed. If the queue itself fails, that error is raised
(Lambda retries, then the on-failure destination keeps the event).

The message body is the raw event as JSON, ASCII-escaped (SQS refuses some Unicode characters; the
escapes keep every character), so ``json.loads(body)`` gives back exactly what the handler received,
even when that was a bare string. Message attributes say why: ``reason``, ``field``, ``event_id``,
``handler``.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger

from mlmeta_runtime.events import Malformed

logger = Logger(child=True)

# SQS message attribute values must be short enough and made of characters it accepts.
_ATTRIBUTE_LIMIT = 1024


def quarantine_body(raw_event: object) -> str:
    return json.dumps(raw_event, ensure_ascii=True, default=repr)


def quarantine(sqs: Any, queue_url: str, raw_event: object, malformed: Malformed, *, handler: str) -> dict[str, str]:
    """Log, send to the queue, and return the handler's answer for a quarantined event."""
    logger.error(
        f"malformed event {malformed.event_id}: field {malformed.field}: {malformed.reason}; quarantined",
        extra={"event_id": malformed.event_id, "field": malformed.field, "reason": malformed.reason, "handler": handler},
    )
    attributes = {"reason": malformed.reason, "field": malformed.field, "event_id": malformed.event_id, "handler": handler}
    sqs.send_message(
        QueueUrl=queue_url,
        MessageBody=quarantine_body(raw_event),
        MessageAttributes={key: {"DataType": "String", "StringValue": _attribute(value)} for key, value in attributes.items()},
    )
    return {"status": "quarantined", "event_id": malformed.event_id, "field": malformed.field, "reason": malformed.reason}


def _attribute(value: str) -> str:
    # JSON string escapes: ASCII only, no control characters, every character still readable.
    text = json.dumps(value, ensure_ascii=True)[1:-1]
    return text if len(text) <= _ATTRIBUTE_LIMIT else text[: _ATTRIBUTE_LIMIT - 3] + "..."
