"""Counting and replaying the AWS calls made through boto3 clients, with botocore's event hooks.

``provide-client-params`` fires once per API call (before validation and before botocore's own
retries), including calls that another hook answers without HTTP (the moto-gap hooks), so the count is
what an AWS bill or a CloudTrail log would show per call, not per HTTP attempt.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from botocore import xform_name

_EVENT = "provide-client-params"  # every service and operation of the client


@dataclass(frozen=True)
class AwsCall:
    client: Any
    operation: str  # the API name, e.g. Search
    params: dict[str, Any]


@dataclass
class AwsCallLog:
    calls: list[AwsCall] = field(default_factory=list)

    def _record(self, client: Any, params: dict[str, Any], model: Any, **_: Any) -> None:
        # A shallow copy: callers build fresh request dicts and do not mutate them afterwards.
        self.calls.append(AwsCall(client, model.name, dict(params)))

    def __len__(self) -> int:
        return len(self.calls)

    def by_operation(self) -> Counter[str]:
        return Counter(call.operation for call in self.calls)

    def summary(self) -> str:
        """``2 Search + 2 PutObject``."""
        return " + ".join(f"{count} {operation}" for operation, count in sorted(self.by_operation().items()))


@contextmanager
def watching(*clients: Any) -> Iterator[AwsCallLog]:
    """Every API call made through ``clients`` while the context is active."""
    log = AwsCallLog()
    hooks = [(client, partial(log._record, client)) for client in clients]
    for client, hook in hooks:
        client.meta.events.register(_EVENT, hook)
    try:
        yield log
    finally:
        for client, hook in hooks:
            client.meta.events.unregister(_EVENT, hook)


def replay(calls: Sequence[AwsCall]) -> None:
    """Make the same calls again, through the same clients (and so the same hooks and endpoint)."""
    for call in calls:
        getattr(call.client, xform_name(call.operation))(**call.params)
