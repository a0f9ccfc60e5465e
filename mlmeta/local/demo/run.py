"""The demo end to end: an embedded AWS, the environment deployed into it, months of simulated pipeline
executions replayed through the events stack's rules and the real handlers, then the lake queried on
DuckDB and charted. See docs/demo.md.

Written to ``out`` (a new or empty directory, or an earlier demo's output with ``force``:
``mlmeta.local.demo.output``): ``lake/`` (the lake bucket's objects), ``events.jsonl`` (every event delivered,
in order), ``quarantine.jsonl`` (what the quarantine queue held), ``handlers.log`` (the handlers' own
log lines), ``<metric>-<pipeline>.png`` and the manifest of these files; on the MLflow backend with a
server the demo starts, ``mlflow/`` (its SQLite database and log: ``mlmeta.local.demo.mlflow_backend``).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from mlmeta.local.demo.aws_events import AwsNames, eda_event, execution_events, truncated
from mlmeta.local.demo.deploy import DeployedExperiment, deploy_experiments
from mlmeta.local.demo.history import SUCCEEDED, EdaAction, Execution, History, plan_history
from mlmeta.local.demo.mlflow_backend import DemoMlflow, check_mlflow, demo_mlflow, recording_to_mlflow
from mlmeta.local.demo.output import DemoOutput
from mlmeta.local.demo.progress import Progress
from mlmeta.local.demo.settings import ENVIRONMENT, METRIC, DemoSettings
from mlmeta.local.event_files import EventInput
from mlmeta.local.emulator import embedded_moto
from mlmeta.local.mlflow_server import require_mlflow
from mlmeta.local.replay import FAILED, Outcome, Replayer
from mlmeta.queries.result import QueryResult
from mlmeta_contract.mlflow.backend import MLFLOW
from mlmeta_contract.naming import new

PHASES = 6  # on the MLflow backend, one more: the MLflow server (phase_count)
LAKE_DIR = "lake"
EVENTS_FILE = "events.jsonl"
QUARANTINE_FILE = "quarantine.jsonl"
HANDLER_LOG = "handlers.log"
DUPLICATE, TRUNCATED = "duplicate", "truncated"  # the two planted deliveries


@dataclass(frozen=True)
class Quarantined:
    """One message of the quarantine queue: the event as the handler received it, and why."""

    event_id: str
    handler: str
    field: str
    reason: str
    body: Any


@dataclass(frozen=True)
class DuplicateCheck:
    """The duplicated delivery: the lake's objects (key and ETag) before and after it."""

    event_id: str
    execution_id: str
    before: Mapping[str, str]
    after: Mapping[str, str]

    @property
    def lake_unchanged(self) -> bool:
        return self.before == self.after


@dataclass(frozen=True)
class DemoReport:
    settings: DemoSettings
    history: History
    out: Path
    lake: Path
    lake_objects: int
    chart: Path
    chart_summary: str
    experiments: tuple[DeployedExperiment, ...]
    deliveries: int
    outcomes: Mapping[str, int]  # handled | unrouted | quarantined | failed -> events
    failures: tuple[Outcome, ...]
    duplicate: DuplicateCheck
    truncated_event_id: str
    quarantine_queue: str
    quarantined: tuple[Quarantined, ...]
    results: Mapping[str, QueryResult]
    seconds: float
    mlflow: DemoMlflow | None = None  # the server trial 1.2 was recorded to, on the MLflow backend

    @property
    def pipeline(self) -> str:
        return new("pipeline", use_case=self.settings.use_case.name, env=ENVIRONMENT)


@dataclass(frozen=True)
class _Delivery:
    event: dict[str, Any]
    planted: str | None = None  # DUPLICATE | TRUNCATED


@dataclass(frozen=True)
class _Episode:
    """An execution or an EDA action, and what EventBridge delivers about it. An EDA action's one
    event is built once its resource exists (it carries the ARN), so it has no deliveries here."""

    subject: Execution | EdaAction
    deliveries: tuple[_Delivery, ...] = ()
    model_version: int | None = None  # the model package version a succeeded execution registers

    @property
    def size(self) -> int:
        return len(self.deliveries) if isinstance(self.subject, Execution) else 1


def phase_count(settings: DemoSettings) -> int:
    """How many progress phases the demo of ``settings`` has."""
    return PHASES + (settings.tracking_backend == MLFLOW)


def run_demo(
    out: Path,
    settings: DemoSettings = DemoSettings(),
    progress: Progress | None = None,
    *,
    force: bool = False,
    mlflow_uri: str | None = None,
) -> DemoReport:
    """Run the demo, writing into ``out``: created if missing; an earlier demo's output there is replaced
    only with ``force``. A DemoOutputError (nothing deleted) means ``out`` holds what the demo did not
    write, or an earlier demo's output without ``force``; an OSError that ``out`` cannot be written.
    On the MLflow backend, ``mlflow_uri`` is a running server to record to (else the demo starts one); one
    that does not answer as MLflow raises the contract's MlflowError (ValueError if no http(s) URL), and
    no mlflow package to start one MlflowServerError, before anything is deleted; MlflowServerError too
    when the demo's own server does not start."""
    started = time.perf_counter()
    progress = progress or Progress(phases=phase_count(settings))
    # Before anything is deleted: the MLflow server is there (or can be started).
    if mlflow_uri is not None:
        if settings.tracking_backend != MLFLOW:
            raise ValueError(f"an MLflow URI is for the MLflow backend, not {settings.tracking_backend}")
        check_mlflow(mlflow_uri, settings)
    elif settings.tracking_backend == MLFLOW:
        require_mlflow()
    output = DemoOutput.prepare(out, force=force)
    lake = out / LAKE_DIR
    pipeline = new("pipeline", use_case=settings.use_case.name, env=ENVIRONMENT)
    chart = out / f"{METRIC}-{pipeline}.png"
    output.claim([out / HANDLER_LOG, out / EVENTS_FILE, out / QUARANTINE_FILE, chart])
    history = plan_history(settings)
    with _tracking(settings, mlflow_uri, output, progress) as mlflow:
        replayed = _in_embedded_aws(settings, history, AwsNames(settings.environment.region, pipeline, settings.seed), output,
                                    progress, mlflow)
    _write_jsonl(out / QUARANTINE_FILE, [q.body for q in replayed.quarantined])
    progress.phase("running the named queries on DuckDB")
    results = _queries(settings, pipeline, lake, history)
    progress.phase(f"drawing {chart}")
    summary = _draw(settings, lake, chart, history)
    return DemoReport(
        settings=settings,
        history=history,
        out=out,
        lake=lake,
        lake_objects=replayed.lake_objects,
        chart=chart,
        chart_summary=summary,
        experiments=replayed.experiments,
        deliveries=replayed.replay.delivered,
        outcomes=dict(replayed.replay.outcomes),
        failures=tuple(replayed.replay.failures),
        duplicate=replayed.replay.duplicate_check(),
        truncated_event_id=replayed.replay.truncated_id(),
        quarantine_queue=replayed.quarantine_queue,
        quarantined=replayed.quarantined,
        results=results,
        seconds=time.perf_counter() - started,
        mlflow=mlflow,
    )


@contextmanager
def _tracking(settings: DemoSettings, mlflow_uri: str | None, output: DemoOutput, progress: Progress) -> Iterator[DemoMlflow | None]:
    """The MLflow server while the events replay, on the MLflow backend; None on SageMaker's."""
    if settings.tracking_backend != MLFLOW:
        yield None
        return
    with demo_mlflow(mlflow_uri, output, progress) as mlflow:
        yield mlflow


@dataclass(frozen=True)
class _Replayed:
    experiments: tuple[DeployedExperiment, ...]
    replay: _Replay
    lake_objects: int
    quarantine_queue: str
    quarantined: tuple[Quarantined, ...]


def _in_embedded_aws(settings: DemoSettings, history: History, names: AwsNames, output: DemoOutput, progress: Progress,
                     mlflow: DemoMlflow | None) -> _Replayed:
    """Deploy, simulate and replay in an embedded AWS (trial 1.2 in ``mlflow`` if given); copy its lake to ``out/lake``."""
    out = output.root
    environment = settings.environment
    # The handlers that read tracking get the MLflow backend's variables, as in an environment recording to MLflow.
    replayed_environment = environment if mlflow is None else recording_to_mlflow(environment)
    progress.phase("starting an embedded AWS: moto server on 127.0.0.1")
    with (out / HANDLER_LOG).open("w", encoding="utf-8") as log, (out / EVENTS_FILE).open("w", encoding="utf-8") as events_file, \
            embedded_moto() as endpoint:
        # These import moto: only now, once embedded_moto has said in one line if it is missing.
        from mlmeta.local.demo.in_process import in_process_calls
        from mlmeta.local.demo.sagemaker_state import SimulatedSageMaker
        from mlmeta.local.moto_gaps import sagemaker_like_aws

        with sagemaker_like_aws(), in_process_calls(endpoint):
            replayer = Replayer(replayed_environment, endpoint, log_stream=log,
                                mlflow_tracking_uri=None if mlflow is None else mlflow.tracking_uri)
            experiments = deploy_experiments(environment, endpoint, log)
            progress.phase(
                f"deployed into it: lake bucket {replayer.names.lake_bucket}, queue {replayer.names.quarantine_queue}, "
                f"topic {replayer.names.notices_topic}, experiments {', '.join(e.name for e in experiments)}"
            )
            sagemaker = SimulatedSageMaker(endpoint, names, settings.use_case.name, ENVIRONMENT,
                                           mlflow=None if mlflow is None else mlflow.client())
            episodes = _episodes(history, names)
            total = sum(episode.size for episode in episodes)
            progress.phase(
                f"simulating {len(history.executions)} daily executions of {names.pipeline} and {len(history.eda_actions)} EDA "
                f"actions (SageMaker state in moto{'' if mlflow is None else ', trial 1.2 in MLflow'}), replaying their {total} "
                "events through the rules and handlers"
            )
            replay = _Replay(replayer, events_file, progress)
            progress.start(total, "events")
            for episode in episodes:
                if isinstance(episode.subject, Execution):
                    sagemaker.execution_ran(episode.subject, episode.model_version)
                    replay.deliver(episode.deliveries)
                else:
                    arn = sagemaker.eda_action(episode.subject)
                    replay.deliver([_Delivery(eda_event(episode.subject, arn, names))])
            progress.finish()
            progress.phase(f"copying the lake bucket to {out / LAKE_DIR}")
            objects = replayer.export_lake(out / LAKE_DIR)
            output.claim_tree(out / LAKE_DIR)  # a folder prepare() left absent: everything in it is the demo's
            return _Replayed(experiments, replay, objects, replayer.names.quarantine_queue, _drain_quarantine(replayer))


def _episodes(history: History, names: AwsNames) -> list[_Episode]:
    """Executions and EDA actions in time order; the planted deliveries after the Succeeded events
    of their executions."""
    episodes = [_Episode(action) for action in history.eda_actions]
    version = 0
    for execution in history.executions:
        registered = None
        if execution.status == SUCCEEDED:
            version += 1
            registered = version
        deliveries = []
        for event in execution_events(execution, names, registered):
            deliveries.append(_Delivery(event))
            if event["detail"].get("currentPipelineExecutionStatus") == SUCCEEDED:
                if execution is history.duplicated:
                    deliveries.append(_Delivery(event, DUPLICATE))  # EventBridge delivers at least once
                if execution is history.truncated:
                    deliveries.append(_Delivery(truncated(event, names), TRUNCATED))
        episodes.append(_Episode(execution, tuple(deliveries), registered))
    return sorted(episodes, key=lambda e: e.subject.start if isinstance(e.subject, Execution) else e.subject.time)


class _Replay:
    """Delivers events to the replay engine, counting outcomes and watching the planted deliveries."""

    def __init__(self, replayer: Replayer, events_file: TextIO, progress: Progress) -> None:
        self.replayer = replayer
        self.events_file = events_file
        self.progress = progress
        self.outcomes: Counter[str] = Counter()
        self.failures: list[Outcome] = []
        self.delivered = 0
        self._duplicate: DuplicateCheck | None = None
        self._truncated_id: str | None = None

    def deliver(self, deliveries: Sequence[_Delivery]) -> None:
        for delivery in deliveries:
            event = delivery.event
            before = self._lake_etags() if delivery.planted == DUPLICATE else None
            self.delivered += 1
            self.events_file.write(json.dumps(event, sort_keys=False) + "\n")
            outcome = self.replayer.replay(EventInput(f"{EVENTS_FILE}:{self.delivered}", event))
            self.outcomes[outcome.outcome] += 1
            if outcome.outcome == FAILED:
                self.failures.append(outcome)
            if before is not None:
                execution_id = event["detail"]["pipelineExecutionArn"].rsplit("/", 1)[1]
                self._duplicate = DuplicateCheck(event["id"], execution_id, before, self._lake_etags())
            if delivery.planted == TRUNCATED:
                self._truncated_id = event["id"]
            self.progress.advance()

    def duplicate_check(self) -> DuplicateCheck:
        if self._duplicate is None:  # the history always plans one: a bug, not bad input
            raise RuntimeError("the duplicated event was never delivered")
        return self._duplicate

    def truncated_id(self) -> str:
        if self._truncated_id is None:
            raise RuntimeError("the truncated event was never delivered")
        return self._truncated_id

    def _lake_etags(self) -> dict[str, str]:
        s3, bucket = self.replayer.aws["s3"], self.replayer.names.lake_bucket
        return {item["Key"]: item["ETag"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
                for item in page.get("Contents", [])}


def _drain_quarantine(replayer: Replayer) -> tuple[Quarantined, ...]:
    sqs, url = replayer.aws["sqs"], replayer.resources.quarantine_queue_url
    found = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get("Messages", [])
        if not messages:
            return tuple(found)
        for message in messages:
            attributes = {key: value.get("StringValue", "") for key, value in message.get("MessageAttributes", {}).items()}
            found.append(Quarantined(attributes.get("event_id", ""), attributes.get("handler", ""), attributes.get("field", ""),
                                     attributes.get("reason", ""), json.loads(message["Body"])))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _write_jsonl(path: Path, values: list[Any]) -> None:
    path.write_text("".join(json.dumps(value) + "\n" for value in values), encoding="utf-8")


def _date_range(history: History) -> tuple[str, str]:
    return history.executions[0].start.date().isoformat(), history.end.date().isoformat()


def _queries(settings: DemoSettings, pipeline: str, lake: Path, history: History) -> dict[str, QueryResult]:
    from mlmeta.analytics.history import NO_MIN_VALUE
    from mlmeta.queries.catalog import load_queries
    from mlmeta.queries.local_engine import run_local

    first_dt, last_dt = _date_range(history)
    min_value = NO_MIN_VALUE if settings.min_value is None else settings.min_value
    calls = {
        "metric_history": [pipeline, METRIC, first_dt, last_dt],
        "metric_drift": [pipeline, METRIC, first_dt, last_dt, settings.window_size, settings.z_threshold, min_value, settings.min_change],
        "latest_metrics": [first_dt],
        "naming_violations": [first_dt],
    }
    queries = load_queries()
    return {name: run_local(queries[name], values, lake) for name, values in calls.items()}


def _draw(settings: DemoSettings, lake: Path, chart: Path, history: History) -> str:
    from mlmeta.charts.metric_chart import load_metric_chart
    from mlmeta.charts.render import write_png

    first_dt, last_dt = _date_range(history)
    data = load_metric_chart(METRIC, settings.use_case.name, ENVIRONMENT, lake=lake, since=first_dt, until=last_dt,
                             window=settings.window_size, z_threshold=settings.z_threshold, min_value=settings.min_value,
                             min_change=settings.min_change)
    write_png(data, chart)
    return data.summary()
