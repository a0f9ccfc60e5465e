"""Benchmark: an analyst's two questions answered by MLflow's own client against a real MLflow server,
and by mlmeta's lake (the named queries on the local DuckDB engine), over the same generated history.

The questions: "the history of one metric of one pipeline over 90 days" (``metric_history``) and "the
latest value of every metric of every pipeline" (``latest_metrics``, over the last week, as
``bench/queries_layout.py`` asks it). The MLflow side asks as a user of ``mlflow.MlflowClient`` would: find
the experiment(s), ``search_runs`` with a filter on the convention's tags and the run start time, page
with ``page_token`` (the client's default page of 1,000 runs), and pick the values in Python by the same
rule as the named queries (per execution the metric with the latest timestamp, ties to the first component
name; the latest execution is the one that ended last). Both answers are checked equal, value for value,
before anything is timed: a benchmark of different answers would compare nothing.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.athena_scan import Scan, scanned
from bench.lake_sizes import START, LakeShape, compacted_lake, compacted_only_lake, day_records, history_chunks
from mlmeta.local.synthetic_lake import LakeRecords
from bench.mlflow_history import (
    ANALYSIS_COMPONENT,
    EXECUTION_END_TAG,
    EXECUTION_STATUS_TAG,
    ENVIRONMENT_TAG,
    KIND_TAG,
    USE_CASE_TAG,
    BulkLoader,
    analysis_runs,
    epoch_ms,
    group_by_execution,
)
from bench.model import Benchmark, Row, RunOptions
from mlmeta.local.mlflow_server import running_mlflow_server
from mlmeta.queries.catalog import load_queries
from mlmeta.queries.local_engine import run_local

DAYS = 90
WEEK = 7
METRIC = "auc"
# MlflowClient.search_runs' default max_results: what a user who pages gets.
PAGE = 1_000
DAY_MS = 86_400_000
MB = 1_000_000
DEFAULT_SIZES = (1_000, 10_000, 100_000)
SMOKE_SIZES = (200,)
# From this size the lake is written as compacted Parquet straight from generated records, day by day
# (``bench.lake_sizes.compacted_only_lake``, as queries-layout does at 1M): 200k raw objects plus their
# compaction take most of an hour on this machine. Whole executions per pipeline and day, so 99,900 of 100k.
COMPACTED_ONLY_FROM = 100_000

# metric_history rows compared: (pipeline_execution_id, execution_end, execution_status, value);
# latest_metrics rows: (pipeline_name, metric_name, value, pipeline_execution_id, execution_end, execution_status).
Answer = list[tuple[Any, ...]]


class AnswersDiffer(RuntimeError):
    """MLflow and the lake gave different answers to the same question."""


@dataclass
class HttpCount:
    requests: int = 0
    bytes: int = 0


@contextmanager
def counted_http(prefix: str) -> Iterator[HttpCount]:
    """Count the HTTP requests (and response bytes) sent through ``requests`` to URLs under ``prefix``:
    MlflowClient's REST store sends every call through a ``requests.Session``."""
    import requests

    count = HttpCount()
    original = requests.Session.send

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        response = original(self, request, **kwargs)
        if str(request.url).startswith(prefix):
            count.requests += 1
            count.bytes += len(response.content)
        return response

    requests.Session.send = send  # type: ignore[method-assign]
    try:
        yield count
    finally:
        requests.Session.send = original  # type: ignore[method-assign]


@dataclass(frozen=True)
class Question:
    name: str  # the named query
    lake_values: list[str]
    first: str  # dt bounds of the lake query
    last: str
    pipeline: str | None = None  # metric_history only


def questions(shape: LakeShape) -> list[Question]:
    last = date.fromisoformat(shape.last_day)
    first = START.date().isoformat()
    week = (last - timedelta(days=WEEK - 1)).isoformat()
    pipeline = f"{shape.use_cases[0]}-dev"
    return [
        Question("metric_history", [pipeline, METRIC, first, shape.last_day], first, shape.last_day, pipeline),
        Question("latest_metrics", [week], week, shape.last_day),
    ]


# --- the lake's answer ---------------------------------------------------------------------------


def lake_answer(question: Question, lake: Path) -> Answer:
    query = load_queries()[question.name]
    rows = run_local(query, query.bind(question.lake_values), lake).as_dicts()
    if question.name == "metric_history":
        return [(r["pipeline_execution_id"], r["execution_end"], r["execution_status"], r["value"]) for r in rows]
    return [(r["pipeline_name"], r["metric_name"], r["value"], r["pipeline_execution_id"], r["execution_end"], r["execution_status"])
            for r in rows]  # fmt: skip


# --- MLflow's answer, as a user of MlflowClient gets it ------------------------------------------


def _search_all(client: Any, experiment_ids: list[str], filter_string: str) -> list[Any]:
    runs: list[Any] = []
    token = None
    while True:
        page = client.search_runs(experiment_ids, filter_string, max_results=PAGE, page_token=token)
        runs += page
        token = page.token
        if not token:
            return runs


def _window_filter(first: str) -> str:
    # Tags compare only by (in)equality and LIKE in MLflow, so the window is on the run's start: a run
    # starts after its execution did, at most a day before the execution ends (executions last < 2 h).
    return f"tags.`{KIND_TAG}` = '{ANALYSIS_COMPONENT}' AND attributes.start_time >= {epoch_ms(first + 'T00:00:00Z') - DAY_MS}"


def _in_window(run: Any, first: str, last: str) -> bool:
    return first <= run.data.tags[EXECUTION_END_TAG][:10] <= last


def _picked(runs: list[Any], metric: str) -> float | None:
    """The execution's value of ``metric``: the latest logged, ties to the first run name (the lake's rule)."""
    candidates = []
    for run in runs:
        for logged in run.to_proto().data.metrics:
            if logged.key == metric:
                candidates.append((-logged.timestamp, run.info.run_name, logged.value))
    return min(candidates)[2] if candidates else None


def mlflow_metric_history(client: Any, question: Question) -> Answer:
    experiment = client.get_experiment_by_name(f"{question.pipeline}-pipeline")
    if experiment is None:
        raise AnswersDiffer(f"MLflow has no experiment {question.pipeline}-pipeline")
    runs = [r for r in _search_all(client, [experiment.experiment_id], _window_filter(question.first))
            if _in_window(r, question.first, question.last)]  # fmt: skip
    answer = []
    for execution_id, execution_runs in group_by_execution(runs).items():
        value = _picked(execution_runs, METRIC)
        if value is not None:
            tags = execution_runs[0].data.tags
            answer.append((execution_id, tags[EXECUTION_END_TAG], tags[EXECUTION_STATUS_TAG], value))
    return sorted(answer, key=lambda row: (row[1], row[0]))


def mlflow_latest_metrics(client: Any, question: Question) -> Answer:
    experiments = client.search_experiments(filter_string="name LIKE '%-pipeline'")
    runs = [r for r in _search_all(client, [e.experiment_id for e in experiments], _window_filter(question.first))
            if _in_window(r, question.first, question.last)]  # fmt: skip
    latest: dict[str, tuple[str, str, list[Any]]] = {}  # pipeline -> (execution end, id, runs)
    for execution_id, execution_runs in group_by_execution(runs).items():
        tags = execution_runs[0].data.tags
        pipeline = f"{tags[USE_CASE_TAG]}-{tags[ENVIRONMENT_TAG]}"
        if pipeline not in latest or (tags[EXECUTION_END_TAG], execution_id) > latest[pipeline][:2]:
            latest[pipeline] = (tags[EXECUTION_END_TAG], execution_id, execution_runs)
    answer = []
    for pipeline, (_end, execution_id, execution_runs) in latest.items():
        tags = execution_runs[0].data.tags
        for metric in sorted({m.key for run in execution_runs for m in run.to_proto().data.metrics}):
            answer.append((pipeline, metric, _picked(execution_runs, metric), execution_id, tags[EXECUTION_END_TAG],
                           tags[EXECUTION_STATUS_TAG]))  # fmt: skip
    return sorted(answer, key=lambda row: (row[0], row[1]))


MLFLOW_ANSWERS: dict[str, Callable[[Any, Question], Answer]] = {
    "metric_history": mlflow_metric_history,
    "latest_metrics": mlflow_latest_metrics,
}


def check_same(name: str, lake: Answer, mlflow: Answer) -> None:
    """AnswersDiffer unless both answers hold the same rows, value for value (floats exactly: both sides
    store the generated double)."""
    if not lake:
        raise AnswersDiffer(f"{name}: the lake answered no rows; the benchmark would compare nothing")
    if lake != mlflow:
        differing = next((i for i, (a, b) in enumerate(zip(lake, mlflow, strict=False)) if a != b), min(len(lake), len(mlflow)))
        raise AnswersDiffer(
            f"{name}: MLflow and the lake differ ({len(mlflow)} rows against {len(lake)}), first at row {differing}: "
            f"MLflow {mlflow[differing] if differing < len(mlflow) else None} vs lake {lake[differing] if differing < len(lake) else None}"
        )


# --- the benchmark -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    runs: int
    seconds: float


def history(shape: LakeShape, seed: int, progress: Callable[[str], None]) -> tuple[Path, Iterator[LakeRecords]]:
    """The lake of ``shape`` and the records it was written from, generated again for MLflow."""
    if shape.executions >= COMPACTED_ONLY_FROM:
        return compacted_only_lake(shape, seed, progress), (day_records(shape, seed, day) for day in range(shape.days))
    return compacted_lake(shape, seed, progress), history_chunks(shape, seed)


def load_mlflow(client: Any, database: Path, shape: LakeShape, records: Iterator[LakeRecords], progress: Callable[[str], None]) -> Loaded:
    """Create the pipelines' experiments through the server, then bulk-insert the runs (bench.mlflow_history)."""
    started = time.perf_counter()
    names = [f"{use_case}-dev-pipeline" for use_case in shape.use_cases]
    ids = {name: client.create_experiment(name) for name in names}
    locations = {name: client.get_experiment(ids[name]).artifact_location for name in names}
    loader = BulkLoader(database, ids, locations)
    try:
        for chunk in records:
            loader.load(analysis_runs(chunk.metric_snapshots, chunk.component_snapshots), progress)
    finally:
        loader.close()
    return Loaded(loader.loaded, time.perf_counter() - started)


def _timed(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _load_average() -> str:
    try:
        return "load average " + ", ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "load average unknown"


def measure_size(executions: int, options: RunOptions) -> Iterator[Row]:
    import mlflow

    shape = LakeShape(executions, days=DAYS)
    lake, records = history(shape, options.seed, options.progress)
    repeats = options.size(1 if executions >= 100_000 else 3, 1)
    with tempfile.TemporaryDirectory(prefix="mlmeta-bench-mlflow-") as directory:
        options.progress(f"starting a local MLflow server for {shape.label()}")
        started = time.perf_counter()
        with running_mlflow_server(Path(directory)) as server:
            server_start = time.perf_counter() - started
            client = mlflow.MlflowClient(tracking_uri=server.tracking_uri)
            loaded = load_mlflow(client, server.database, shape, records, options.progress)
            options.progress(f"MLflow loaded: {loaded.runs:,} runs in {loaded.seconds:.1f} s (server started in {server_start:.1f} s)")
            for question in questions(shape):
                ask_mlflow = MLFLOW_ANSWERS[question.name]
                # The check is also the warm-up of both sides (server caches, the page cache).
                with counted_http(server.tracking_uri) as http:
                    mlflow_rows = ask_mlflow(client, question)
                check_same(question.name, lake_answer(question, lake), mlflow_rows)
                options.progress(f"{question.name} at {shape.label()}: same {len(mlflow_rows):,} rows on both sides; timing")
                lake_ms = _timed(lambda q=question: lake_answer(q, lake), repeats)
                mlflow_ms = _timed(lambda q=question, ask=ask_mlflow: ask(client, q), repeats)
                scan: Scan = scanned(load_queries()[question.name], lake, question.first, question.last)
                note = (f"{len(mlflow_rows):,} rows, equal; lake: 1 DuckDB query over {scan.files} objects; MLflow: "
                        f"{http.requests} requests, {loaded.runs:,} runs loaded in {loaded.seconds:.0f} s (bulk), "
                        f"server start {server_start:.0f} s; {_load_average()}")  # fmt: skip
                # Two runs (analysis components) per execution.
                case = f"{question.name} @ {loaded.runs // 2:,} executions"
                yield Row(case, "wall time", "ms", lake_ms, mlflow_ms, note)
                yield Row(case, "calls (lake: queries; MLflow: HTTP requests)", "calls", 1, http.requests)
                yield Row(case, "bytes read (lake: Athena would scan; MLflow: HTTP responses)", "MB", scan.bytes / MB, http.bytes / MB)


def run(options: RunOptions) -> Iterator[Row]:
    # The client's and the server's telemetry would reach for the internet.
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    sizes = options.mlflow_sizes or options.size(DEFAULT_SIZES, SMOKE_SIZES)
    for executions in sizes:
        yield from measure_size(executions, options)


BENCHMARK = Benchmark(
    name="mlflow-side-by-side",
    title="Analyst questions: mlmeta's lake against MLflow's search_runs",
    measures=(
        "Two questions over the same generated history (`mlmeta.local.synthetic_lake` via `bench/lake_sizes.py`, seeded: "
        "10 pipelines, 90 days, 1k, 10k and 100k executions, `--mlflow-sizes` to choose): the history of `auc` of "
        "one pipeline over the 90 days (`metric_history`) and the latest value of every metric of every pipeline "
        "over the last week (`latest_metrics`). mlmeta: the named query on the local DuckDB engine over the "
        "compacted lake (a fresh connection per run, as the CLI does). MLflow: `mlflow.MlflowClient` against a real "
        "MLflow server (`mlmeta.local.mlflow_server`, SQLite, one worker) holding the same history as the convention "
        "maps it (`bench/mlflow_history.py`: an experiment per pipeline, a run per analysis trial component, 2 per "
        "execution, the convention's tags): the experiment(s), then `search_runs` filtered on the `mlmeta:kind` tag "
        "and the start time, paged by 1,000 (the client's default), values picked in Python by the queries' rule. "
        "Both answers are asserted equal, value for value, before timing (the first ask is the warm-up). Wall time: "
        "median of 3 (1 at 100k). Calls: HTTP requests counted on the client's `requests` session; lake: queries "
        "run. The runs are loaded by bulk insert into MLflow's own schema (its SQLAlchemy tables) after the server "
        "created it, not through REST (hours at 100k); the load time, the server's start and the machine's load "
        "(2 cores shared with other work) are in each row's note."
    ),
    baseline="the same question through MLflow's REST API (`MlflowClient.search_runs`), answered identically.",
    ratio_means="lake ÷ MLflow: below 1 the lake needs less (0.01 = 100 times less).",
    run=run,
)
