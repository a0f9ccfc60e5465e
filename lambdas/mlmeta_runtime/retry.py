"""Retry with exponential backoff, for eventual consistency: a resource that an event announces may
not be visible yet (Pipelines creates trial 1.1 after the execution starts). Bounded, so a handler
gives up in time and lets Lambda's own retries and the on-failure destination take over.

Throttling is not retried here: botocore already retries it, and what is left raises (errors.py).
``sleep`` is injectable so tests run without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    attempts: int = 6
    first_delay: float = 1.0
    factor: float = 2.0
    max_delay: float = 16.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.first_delay < 0 or self.factor < 1 or self.max_delay < 0:
            raise ValueError(f"invalid backoff {self}")

    def delays(self) -> tuple[float, ...]:
        """The waits between attempts: one fewer than the attempts."""
        return tuple(min(self.first_delay * self.factor**i, self.max_delay) for i in range(self.attempts - 1))

    @property
    def total_wait(self) -> float:
        return sum(self.delays())


class GaveUp(RuntimeError):
    """Every attempt failed with a retryable error; ``__cause__`` is the last one."""

    def __init__(self, what: str, backoff: Backoff) -> None:
        super().__init__(f"{what}: still failing after {backoff.attempts} attempts over {backoff.total_wait:g} s")
        self.attempts = backoff.attempts


def with_backoff(
    operation: Callable[[], T],
    *,
    retry_if: Callable[[Exception], bool],
    what: str,
    backoff: Backoff = Backoff(),
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``operation()``, retried after each wait of ``backoff`` while it raises an error ``retry_if``
    accepts; raises GaveUp (from the last error) when the attempts run out. Other errors propagate."""
    delays = backoff.delays()
    for attempt in range(backoff.attempts):
        try:
            return operation()
        except Exception as err:
            if not retry_if(err):
                raise
            if attempt == backoff.attempts - 1:
                raise GaveUp(what, backoff) from err
            sleep(delays[attempt])
    raise AssertionError("unreachable: the loop returns or raises")
