"""The event handlers' skeleton, once: ``event_handler`` turns a function of a parsed event into a Lambda
handler that

1. parses the raw event into one of the models the handler accepts (``events.parse_event``, never raises);
2. quarantines a malformed event whole (``quarantine.py``: the queue, or the quarantine bucket when it is
   too large for a message), logs it with its id and returns normally, so Lambda does not retry it;
3. adds the handler's log keys (the event id and what the handler names) to every later log line;
4. runs the handler's work under the AWS error policy (``errors.raising_aws_errors``): a transient error
   is logged and raised, so Lambda retries the event.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from aws_lambda_powertools import Logger

from mlmeta_runtime.errors import raising_aws_errors
from mlmeta_runtime.events import EventModel, Malformed, parse_event
from mlmeta_runtime.quarantine import quarantine
from mlmeta_runtime.settings import HandlerSettings

E = TypeVar("E", bound=EventModel)
Answer = dict[str, Any]
LambdaHandler = Callable[[Any, Any], Answer]


def event_handler(
    name: str,
    accepts: Sequence[type[E]],
    settings: HandlerSettings,
    logger: Logger,
    *,
    sqs: Any,
    s3: Any,
    doing: str,
    log_keys: Callable[[E], Mapping[str, Any]],
) -> Callable[[Callable[[E], Answer]], LambdaHandler]:
    """Decorate ``work(event) -> answer``: ``name`` is the handler's name in quarantine attributes,
    ``doing`` says what ``work`` does in the log line of a raised AWS error, ``s3`` keeps events too
    large for the quarantine queue."""
    accepted = tuple(accepts)

    def decorate(work: Callable[[E], Answer]) -> LambdaHandler:
        @logger.inject_lambda_context(log_event=False, clear_state=True)
        @functools.wraps(work)
        def lambda_handler(event: Any, context: Any) -> Answer:
            parsed = parse_event(event, accepted)
            if isinstance(parsed, Malformed):
                return quarantine(
                    sqs, settings.quarantine_queue_url, event, parsed, handler=name, s3=s3, bucket=settings.quarantine_bucket
                )
            logger.append_keys(**log_keys(parsed))  # type: ignore[arg-type]
            with raising_aws_errors(logger, doing):
                return work(parsed)  # type: ignore[arg-type]

        lambda_handler.handler_name = name  # type: ignore[attr-defined]
        lambda_handler.accepts = accepted  # type: ignore[attr-defined]
        return lambda_handler

    return decorate
