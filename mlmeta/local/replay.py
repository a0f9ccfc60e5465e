"""The engine of ``mlmeta replay``: recorded events through the events stack's rules to the real handler
code, in this process, against an emulated AWS.

For each event: match it against every route's pattern (``mlmeta.events.patterns``, the patterns the
stack deploys); invoke the handler of each matching route once, as EventBridge would (a handler loaded
with the environment the stack gives its function, ``mlmeta.events.handlers.handler_environment``); and
report the outcome:

- ``handled``: every handler returned (tagged, written, skipped, ...; its status is in ``results``);
- ``quarantined``: a handler refused it as malformed and sent it to the quarantine queue, or it was
  not an EventBridge event at all (not JSON, not an object), which replay quarantines the same way;
- ``failed``: a handler raised (in Lambda: retries, then the on-failure queue); ``reason`` says why;
- ``unrouted``: no rule matches it (EventBridge would drop it);
- ``rejected``: larger than EventBridge's 256 KB per event (``mlmeta.local.event_size``): EventBridge
  never delivers it, so no rule sees it and nothing quarantines it (the file still holds it).

Against a deployed environment (``deployment``, what ``mlmeta rehearse`` deployed into the emulator), the
rules are the deployed ones, each handler gets its deployed function's environment and the resources are
the deployed ones; replay then creates nothing.

Replay does not wait where the tagger would wait for Pipelines to create a trial: nothing creates
resources while replay runs, so the first "not found" fails the event at once, naming what is missing,
with the real attempt count and time (not the roughly 31 s the tagger would have waited). When the
embedded AWS lacks an entity a handler looked up, a handled event's ``reason`` says which
(``mlmeta.local.missing_entities``). Handler logs and EMF metric lines go to ``log_stream`` (stderr by
default), not stdout.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from mlmeta.config import EnvironmentSettings
from mlmeta.local.deployment import Deployment
from mlmeta.local.event_files import EventInput
from mlmeta.local.event_size import entry_size, too_large
from mlmeta.local.handler_loader import LAMBDAS_DIR, load_module
from mlmeta.events.handlers import HANDLERS_BY_NAME, EventResources, HandlerSpec, handler_environment
from mlmeta.local.emulator import LOCAL_ACCOUNT, SETUP_CONFIG, LocalNames, clients, emulator_environment, ensure_resources, export_bucket
from mlmeta.local.missing_entities import MISSING, missing_message
from mlmeta.events.patterns import matches
from mlmeta.events.routes import Route, routes
from mlmeta_contract.handlers import REPLAY, SERVICE_NAME, service_name
from mlmeta_contract.resources import resource_name

HANDLED, QUARANTINED, FAILED, UNROUTED, REJECTED = "handled", "quarantined", "failed", "unrouted", "rejected"
OUTCOMES = (HANDLED, QUARANTINED, FAILED, UNROUTED, REJECTED)
NO_EVENT_ID = "<no id>"
EMBEDDED_AWS = "the embedded AWS"
_QUARANTINE_MODULE = "mlmeta_runtime.quarantine"
# The tagger waits through this module attribute (docs/handlers.md); replay has nothing to wait for.
_SLEEP_ATTRIBUTE = "sleep"


class NotCreatedInReplay(Exception):
    """A handler was about to wait for a resource to appear; in replay nothing would create it."""


@dataclass(frozen=True)
class Outcome:
    """What became of one event; ``to_dict`` is its line of replay output."""

    origin: str
    event_id: str | None
    outcome: str
    routes: tuple[str, ...] = ()
    handlers: tuple[str, ...] = ()
    results: Mapping[str, str] = field(default_factory=dict)
    reason: str | None = None
    # Not on the output line (which stays the same from run to run): time spent in the handlers, and
    # the one-line note on the entities the emulated AWS lacked, for the terminal.
    seconds: float = 0.0
    missing_note: str | None = None

    @property
    def not_an_event(self) -> bool:
        """Replay itself refused it: not JSON, not an object, or too large for EventBridge."""
        return self.outcome == REJECTED or self.results.get(REPLAY) == QUARANTINED

    def to_dict(self) -> dict[str, Any]:
        line: dict[str, Any] = {
            "event": self.origin,
            "id": self.event_id,
            "outcome": self.outcome,
            "routes": list(self.routes),
            "handlers": list(self.handlers),
            "results": dict(self.results),
        }
        if self.reason is not None:
            line["reason"] = self.reason
        return line


@dataclass(frozen=True)
class LambdaContext:
    """What Powertools reads from Lambda's context object."""

    function_name: str
    aws_request_id: str
    invoked_function_arn: str
    memory_limit_in_mb: int


class Replayer:
    """Replays events of one environment against ``endpoint`` (an emulator), creating the lake bucket,
    quarantine queue and notices topic there if missing; or against a ``deployment`` there."""

    def __init__(
        self,
        settings: EnvironmentSettings,
        endpoint: str,
        *,
        log_stream: TextIO | None = None,
        lambdas_dir: Path = LAMBDAS_DIR,
        aws_name: str = EMBEDDED_AWS,
        deployment: Deployment | None = None,
        mlflow_tracking_uri: str | None = None,
    ) -> None:
        """``mlflow_tracking_uri``: the MLflow server the handlers that read tracking get when ``settings``
        record to MLflow (the server the tracking stack would provision; not with a ``deployment``)."""
        self.settings = settings
        self.endpoint = endpoint
        # How messages name the AWS replay runs against ("the embedded AWS", "the emulator at URL").
        self.aws_name = aws_name
        self.log_stream = log_stream
        self.lambdas_dir = lambdas_dir
        self.names = LocalNames.of(settings)
        self.deployment = deployment
        self.aws = clients(endpoint, settings.region, "s3", "sqs", "sns", config=SETUP_CONFIG)
        if deployment is None:
            resources = ensure_resources(self.aws, self.names, settings.region, endpoint)
            self.resources: EventResources = replace(resources, mlflow_tracking_uri=mlflow_tracking_uri)
            self.routes: tuple[Route, ...] = routes(settings)
            self.specs: Mapping[str, HandlerSpec] = HANDLERS_BY_NAME
        else:
            self.resources, self.routes = deployment.resources, deployment.routes
            self.specs = {route.handler.name: route.handler for route in deployment.routes}
        self._modules: dict[str, ModuleType] = {}

    def environment(self, spec: HandlerSpec) -> dict[str, str]:
        """The variables ``spec``'s handler is imported with: the stack's (or its deployed function's), pointed
        at the emulator."""
        if self.deployment is None:
            variables = handler_environment(spec, self.settings, self.resources)
        else:
            variables = dict(self.deployment.functions[spec.name].environment)
        return {**variables, **emulator_environment(self.endpoint, self.settings.region)}

    def handler_module(self, name: str) -> ModuleType:
        """The handler module of ``name`` (tagger, naming-guard, ...), loaded on first use."""
        if name not in self._modules:
            spec = self.specs[name]
            with self._output_to_logs():
                module = load_module(spec.module_path, self.environment(spec), self.lambdas_dir)
            if hasattr(module, _SLEEP_ATTRIBUTE):
                setattr(module, _SLEEP_ATTRIBUTE, _nothing_will_create_it)
            self._direct_logs(spec.service)
            self._modules[name] = module
        return self._modules[name]

    def matching_routes(self, event: Any) -> list[Route]:
        return [route for route in self.routes if matches(route.replay_pattern, event)]

    def replay(self, item: EventInput) -> Outcome:
        oversized = too_large(entry_size(item.event), as_entry=item.problem is None and isinstance(item.event, dict))
        if oversized:
            event_id = item.event.get("id") if isinstance(item.event, dict) and isinstance(item.event.get("id"), str) else None
            return Outcome(item.origin, event_id, REJECTED, reason=oversized)
        if item.problem is not None:
            return self._quarantine_non_event(item)
        event = item.event
        event_id = event.get("id") if isinstance(event.get("id"), str) else None
        matched = self.matching_routes(event)
        if not matched:
            return Outcome(item.origin, event_id, UNROUTED, reason="no rule of this environment matches the event")
        results: dict[str, str] = {}
        failures: list[str] = []
        missing: list[str] = []
        seconds = 0.0
        MISSING.take()  # what earlier events missed is theirs
        for route in matched:
            spec = route.handler
            handler = getattr(self.handler_module(spec.name), spec.function)  # a load error stops the replay
            started = time.monotonic()
            try:
                answer = self._invoke(handler, spec, event)
            except NotCreatedInReplay as err:
                took = time.monotonic() - started
                seconds += took
                results[spec.name] = FAILED
                missed = MISSING.take()
                missing += missed
                what = missing_message(missed, self.aws_name).removeprefix("entity ") if missed else self._not_created(err)
                failures.append(f"{spec.name}: {what} (1 attempt in {took:.2f} s: replay does not wait for it to appear)")
                continue
            except Exception as err:  # noqa: BLE001 - a handler that raises is an outcome, not a crash of the replay
                seconds += time.monotonic() - started
                results[spec.name] = FAILED
                failures.append(f"{spec.name}: {type(err).__name__}: {_one_line(err)}")
                continue
            seconds += time.monotonic() - started
            results[spec.name] = str(answer.get("status", "returned")) if isinstance(answer, Mapping) else "returned"
        names = tuple(route.name for route in matched)
        handlers = tuple(route.handler.name for route in matched)
        missing = list(dict.fromkeys(missing + MISSING.take()))
        note = missing_message(missing, self.aws_name) if missing else None
        if failures:
            outcome, reason = FAILED, "; ".join(failures)
        else:
            outcome, reason = (QUARANTINED if QUARANTINED in results.values() else HANDLED), note
        return Outcome(item.origin, event_id, outcome, names, handlers, results, reason=reason, seconds=seconds, missing_note=note)

    def export_lake(self, directory: Path) -> int:
        """Copy the lake bucket's objects to ``directory`` (same keys, so ``mlmeta query --lake`` reads it)."""
        directory.mkdir(parents=True, exist_ok=True)
        return export_bucket(self.aws["s3"], self.resources.lake_bucket, directory)

    def _invoke(self, handler: Any, spec: HandlerSpec, event: Mapping[str, Any]) -> Any:
        with self._output_to_logs():
            # A copy per delivery: a handler that changed its event must not change the next one's.
            return handler(copy.deepcopy(dict(event)), self._context(spec, event))

    def _quarantine_non_event(self, item: EventInput) -> Outcome:
        if REPLAY not in self._modules:
            spec = self.specs.get("snapshotter", HANDLERS_BY_NAME["snapshotter"])
            environment = {**self.environment(spec), SERVICE_NAME: service_name(REPLAY)}
            with self._output_to_logs():
                self._modules[REPLAY] = load_module(_QUARANTINE_MODULE, environment, self.lambdas_dir)
                # The quarantine logs through a child logger: this is the parent its lines go to.
                Logger(service=environment[SERVICE_NAME])
            self._direct_logs(environment[SERVICE_NAME])
        module = self._modules[REPLAY]
        malformed = module.Malformed(NO_EVENT_ID, "<event>", f"{item.origin}: {item.problem}")
        try:
            with self._output_to_logs():
                module.quarantine(self.aws["sqs"], self.resources.quarantine_queue_url, item.event, malformed, handler=REPLAY,
                                  s3=self.aws["s3"], bucket=self.resources.lake_bucket)
        except (BotoCoreError, ClientError) as err:  # the queue refused it: say so on the event's line
            return Outcome(item.origin, None, FAILED, results={REPLAY: FAILED}, reason=f"{item.problem}; cannot quarantine it: {_one_line(err)}")
        return Outcome(item.origin, None, QUARANTINED, results={REPLAY: QUARANTINED}, reason=item.problem)

    def _not_created(self, err: NotCreatedInReplay) -> str:
        """What the handler found missing when the emulator kept no record of it (``--endpoint``): the
        not-found error the handler got."""
        found = _one_line(err.__context__) if err.__context__ else "a resource"
        return f"{found}: it does not exist in {self.aws_name}; seed it or replay its creation first"

    def _context(self, spec: HandlerSpec, event: Mapping[str, Any]) -> LambdaContext:
        # Deterministic request ids: a replay of the same event logs the same id.
        request = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{spec.name}/{event.get('id')}"))
        if self.deployment is not None:
            deployed = self.deployment.functions[spec.name]
            return LambdaContext(deployed.name, request, deployed.arn, deployed.memory_mb)
        function = resource_name(self.settings.name, spec.name)
        return LambdaContext(
            function_name=function,
            aws_request_id=request,
            invoked_function_arn=f"arn:aws:lambda:{self.settings.region}:{LOCAL_ACCOUNT}:function:{function}",
            memory_limit_in_mb=spec.memory_mb,
        )

    def _output_to_logs(self) -> contextlib.AbstractContextManager[Any]:
        # Powertools prints EMF metric lines and binds its log handler to sys.stdout: keep stdout for results.
        return contextlib.redirect_stdout(self.log_stream or sys.stderr)

    def _direct_logs(self, service: str) -> None:
        # Not setStream(): it flushes the old stream, which an earlier run (a test's capture) may have closed.
        stream = self.log_stream or sys.stderr
        for handler in logging.getLogger(service).handlers:
            if isinstance(handler, logging.StreamHandler):
                with _locked(handler):
                    handler.stream = stream


@contextlib.contextmanager
def _locked(handler: logging.Handler) -> Iterator[None]:
    handler.acquire()
    try:
        yield
    finally:
        handler.release()


def _nothing_will_create_it(_seconds: float) -> None:
    """The tagger's ``sleep``: called only after a not-found, to wait for Pipelines to create the resource."""
    raise NotCreatedInReplay


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__
