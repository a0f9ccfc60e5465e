"""EventBridge's size limit: an event larger than this is never delivered, so replay refuses it.

"The maximum size for a PutEvents event entry is 256 KB" (EventBridge API Reference, PutEvents,
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html), an entry counted as:
``Time`` 14 bytes when given, ``Source`` and ``DetailType`` as UTF-8 bytes, ``Detail`` as UTF-8 bytes,
and each ``Resources`` entry as UTF-8 bytes (User Guide, "Calculating Amazon EventBridge PutEvents
event entry size", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
Replay holds AWS services' saved events to the same limit. A saved event is measured as the entry it came from:
its ``time``, ``source``, ``detail-type``, ``detail`` (compact JSON) and ``resources``; fields the
envelope does not have count too, as they would have had to travel in the detail. What is not an
event at all (not JSON, not an object) is measured as its UTF-8 text.
"""

from __future__ import annotations

import json
from typing import Any

MAX_ENTRY_BYTES = 256 * 1024
TIME_BYTES = 14
# What EventBridge adds around an entry, and the entry's own fields (counted by the rule above).
_ENVELOPE = frozenset({"version", "id", "account", "region", "time", "source", "detail-type", "detail", "resources"})


def entry_size(event: Any) -> int:
    """Bytes of ``event`` as a PutEvents entry (see the module docstring)."""
    if isinstance(event, str):
        return _utf8(event)
    if not isinstance(event, dict):
        return _utf8(_compact(event))
    size = TIME_BYTES if event.get("time") is not None else 0
    size += sum(_utf8(_text(event.get(field))) for field in ("source", "detail-type"))
    if event.get("detail") is not None:
        size += _utf8(_compact(event["detail"]))
    resources = event.get("resources")
    if isinstance(resources, list):
        size += sum(_utf8(_text(resource)) for resource in resources)
    extra = {key: value for key, value in event.items() if key not in _ENVELOPE}
    return size + (_utf8(_compact(extra)) if extra else 0)


def too_large(size: int, *, as_entry: bool) -> str | None:
    """Why an event of ``size`` bytes is never delivered, or None if EventBridge takes it."""
    if size <= MAX_ENTRY_BYTES:
        return None
    measured = f"{size:,} bytes as a PutEvents entry" if as_entry else f"{size:,} bytes"
    return f"the event is {measured}; EventBridge takes at most {MAX_ENTRY_BYTES:,} (256 KB), so it never delivers such an event"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else _compact(value)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def _utf8(text: str) -> int:
    return len(text.encode("utf-8", errors="surrogatepass"))
