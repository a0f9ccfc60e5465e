"""How hard AWS retries before an event goes to a queue (docs/handlers.md, "Error policy"). Losing an event
costs more than retrying it, so each setting is the service's maximum.

- Delivery: EventBridge retries a failed delivery to a rule's target (throttled Invoke, a function being
  updated) with backoff for ``DELIVERY_MAX_EVENT_AGE``, up to ``DELIVERY_RETRY_ATTEMPTS`` times, then
  sends it to the target's dead-letter queue.
- Invocation: Lambda retries an asynchronous invocation that raised ``INVOKE_RETRY_ATTEMPTS`` times
  (about one and three minutes after the first), then sends it to the on-failure destination; events
  older than ``INVOKE_MAX_EVENT_AGE`` in Lambda's own queue (throttling, concurrency) go there too.
"""

from __future__ import annotations

from aws_cdk import Duration

DELIVERY_MAX_EVENT_AGE = Duration.hours(24)
DELIVERY_RETRY_ATTEMPTS = 185
INVOKE_RETRY_ATTEMPTS = 2
INVOKE_MAX_EVENT_AGE = Duration.hours(6)
