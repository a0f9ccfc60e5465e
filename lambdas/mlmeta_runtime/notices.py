"""Notices to people: one SNS message per finding, JSON body, a short subject for e-mail
subscribers, and a ``kind`` message attribute that subscriptions can filter on.

SNS standard topics deliver at least once and a replayed event publishes again, so a subscriber may
see the same notice twice; the ``notice_id`` in the body is stable across replays for de-duplication.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# SNS: subjects are at most 100 printable ASCII characters, no line breaks.
_SUBJECT_LIMIT = 100


def publish_notice(sns: Any, topic_arn: str, *, kind: str, notice_id: str, subject: str, body: Mapping[str, Any]) -> str:
    """Publish and return the SNS message id."""
    message = json.dumps({"kind": kind, "notice_id": notice_id, **body}, sort_keys=True, ensure_ascii=False)
    answer = sns.publish(
        TopicArn=topic_arn,
        Subject=_subject(subject),
        Message=message,
        MessageAttributes={"kind": {"DataType": "String", "StringValue": kind}},
    )
    return str(answer.get("MessageId", ""))


def _subject(text: str) -> str:
    printable = "".join(ch if " " <= ch <= "~" else "?" for ch in text)
    return printable if len(printable) <= _SUBJECT_LIMIT else printable[: _SUBJECT_LIMIT - 3] + "..."
