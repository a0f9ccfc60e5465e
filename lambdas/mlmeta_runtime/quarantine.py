"""Malformed events: sent whole to the quarantine queue so that nothing is dropped, then logged at ERROR
with the event id and the offending field, and the handler returns normally so that Lambda does not
retry an event that can never succeed. If the queue (or the bucket) itself fails, that error is raised
(Lambda retries, then the on-failure destination keeps the event).

The message body is the raw event as JSON, ASCII-escaped (SQS refuses some Unicode characters; the
escapes keep every character), so ``json.loads(body)`` gives back exactly what the handler received,
even when that was a bare string. Message attributes say why: ``reason``, ``field``, ``event_id``,
``handler``.

An event too large for a queue message is kept whole in the lake bucket instead, at
``quarantine/dt=<UTC day>/<sha256 of the body>.json.gz`` (the same body, gzip), and the queue gets a
small pointer: body ``{"quarantined_event": {bucket, key, event_id, size_bytes, sha256, reason, field,
handler}}`` and the attribute ``body_location`` (``s3://bucket/key``). The object is written before the
pointer is sent, under a key of its content, so a retry writes the same object again.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from mlmeta_contract.lake.layout import quarantine_key
from mlmeta_runtime.events import Malformed

logger = Logger(child=True)

# SQS's message limit, body and attributes together, is 1 MiB since 2025 (256 KiB before), and a queue's
# MaximumMessageSize may be set lower down to 1 KiB. 256 KiB fits any queue left at either default; larger
# messages go to the bucket.
MAX_INLINE_BYTES = 256 * 1024
CONTENT_TYPE = "application/gzip"
# SQS message attribute values must be short enough and made of characters it accepts.
_ATTRIBUTE_LIMIT = 1024
_ATTRIBUTE_TYPE = "String"


def quarantine_body(raw_event: object) -> str:
    return json.dumps(raw_event, ensure_ascii=True, default=repr)


def quarantine(
    sqs: Any,
    queue_url: str,
    raw_event: object,
    malformed: Malformed,
    *,
    handler: str,
    s3: Any,
    bucket: str,
    now: datetime | None = None,
) -> dict[str, str]:
    """Send to the queue (or keep in ``bucket`` with a pointer in the queue), log, and return the
    handler's answer for a quarantined event."""
    body = quarantine_body(raw_event)
    attributes = {"reason": malformed.reason, "field": malformed.field, "event_id": malformed.event_id, "handler": handler}
    where = "the quarantine queue"
    if _message_bytes(body, attributes) > MAX_INLINE_BYTES:
        data = body.encode("ascii")
        digest = hashlib.sha256(data).hexdigest()
        key = quarantine_key(digest, now or datetime.now(UTC))
        where = f"s3://{bucket}/{key}"
        s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(data, mtime=0), ContentType=CONTENT_TYPE)
        pointer = {"bucket": bucket, "key": key, "size_bytes": len(data), "sha256": digest}
        body = json.dumps({"quarantined_event": {**pointer, **attributes}}, ensure_ascii=True)
        attributes["body_location"] = where
    sqs.send_message(
        QueueUrl=queue_url,
        MessageBody=body,
        MessageAttributes={key: {"DataType": _ATTRIBUTE_TYPE, "StringValue": _attribute(value)} for key, value in attributes.items()},
    )
    logger.error(
        f"malformed event {malformed.event_id}: field {malformed.field}: {malformed.reason}; quarantined in {where}",
        extra={"event_id": malformed.event_id, "field": malformed.field, "reason": malformed.reason, "handler": handler},
    )
    return {"status": "quarantined", "event_id": malformed.event_id, "field": malformed.field, "reason": malformed.reason}


def _message_bytes(body: str, attributes: dict[str, str]) -> int:
    # SQS counts the body and each attribute's name, type and value.
    return len(body) + sum(len(name) + len(_ATTRIBUTE_TYPE) + len(_attribute(value)) for name, value in attributes.items())


def _attribute(value: str) -> str:
    # JSON string escapes: ASCII only, no control characters, every character still readable.
    text = json.dumps(value, ensure_ascii=True)[1:-1]
    return text if len(text) <= _ATTRIBUTE_LIMIT else text[: _ATTRIBUTE_LIMIT - 3] + "..."
