"""Benchmark: every named query on the local engine (DuckDB) over a year of runs at 1k, 100k and 1M
executions, the compacted layout against the raw one: wall time, files touched and the bytes Athena
would scan (``bench.athena_scan``). The lakes come from ``bench.lake_sizes`` (cached)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from bench.athena_scan import Scan, scanned, tables_read
from bench.lake_sizes import LakeShape, compacted_lake, compacted_only_lake, raw_lake
from bench.model import Benchmark, Row, RunOptions
from mlmeta.lake.parquet import decode_parquet
from mlmeta.queries.catalog import NamedQuery, load_queries
from mlmeta.queries.drift_defaults import DEFAULT_MIN_CHANGE, DEFAULT_WINDOW, DEFAULT_Z_THRESHOLD
from mlmeta.queries.local_engine import run_local
from mlmeta_contract.lake.layout import compacted_key
from mlmeta_contract.lake.schema import METRIC_SNAPSHOTS, NAMING_AUDIT

MB = 1_000_000
# What an analyst asks of a year of runs: a metric over the last quarter, the last week's latest values,
# a month of naming violations and of one pipeline's runs, two recent executions side by side.
QUARTER, MONTH, WEEK = 90, 30, 7


def parameters(name: str, shape: LakeShape, lake: Path) -> tuple[list[str], str, str]:
    """(query parameters, first day, last day read) for a query of the ``name`` kind over ``lake``."""
    last = date.fromisoformat(shape.last_day)
    since = {"metric_history": QUARTER, "metric_drift": QUARTER, "execution_comparison": QUARTER,
             "latest_metrics": WEEK, "naming_violations": MONTH, "runs": MONTH}[name]  # fmt: skip
    first = (last - timedelta(days=since - 1)).isoformat()
    pipeline = f"{shape.use_cases[0]}-dev"
    values = {
        "metric_history": [pipeline, "auc", first, shape.last_day],
        "metric_drift": [pipeline, "auc", first, shape.last_day, str(DEFAULT_WINDOW), str(DEFAULT_Z_THRESHOLD), "0.85",
                         str(DEFAULT_MIN_CHANGE)],
        "latest_metrics": [first],
        "naming_violations": [first],
        "execution_comparison": [*_two_recent_executions(lake, shape), first, shape.last_day],
        "runs": [pipeline, first, shape.last_day],
    }[name]
    return values, first, shape.last_day


def _two_recent_executions(lake: Path, shape: LakeShape) -> list[str]:
    """Two executions of the latest days: from their raw objects' names, or their compacted objects."""
    found: list[str] = []
    day = date.fromisoformat(shape.last_day)
    for _ in range(QUARTER):
        partition = lake / "raw" / "metric_snapshots" / f"dt={day}"
        compacted = lake / compacted_key(METRIC_SNAPSHOTS, day.isoformat())
        if partition.is_dir():
            found += sorted(p.name.removesuffix(".json.gz") for p in partition.glob("*.json.gz"))
        elif compacted.is_file():
            found += sorted({row["pipeline_execution_id"] for row in decode_parquet(compacted.read_bytes())})
        if len(found) >= 2:
            return found[:2]
        day -= timedelta(days=1)
    raise RuntimeError(f"fewer than two executions in the last {QUARTER} days of {lake}")


def run(options: RunOptions) -> Iterator[Row]:
    sizes = options.size((1_000, 100_000, 1_000_000), (200, 4_000))
    # Raw objects of a million executions would be two million files (tens of minutes to write): that
    # size is measured compacted only, against the raw figures of 100k scaled by 10 (row below).
    raw_sizes = options.size((1_000, 100_000), (200,))
    queries = load_queries()
    raw_at: dict[int, dict[str, tuple[float, Scan]]] = {}
    for executions in sizes:
        shape = LakeShape(executions)
        # The raw layout at 100k executions takes seconds to tens of seconds a query: timed once.
        repeats, raw_repeats = options.size((5, 1 if executions >= 100_000 else 5), (1, 1))
        if executions in raw_sizes:
            raw = raw_lake(shape, options.seed, options.progress)
            compacted = compacted_lake(shape, options.seed, options.progress)
        else:
            raw, compacted = None, compacted_only_lake(shape, options.seed, options.progress)
        raw_at[executions] = {}
        for name, query in sorted(queries.items()):
            options.progress(f"{name} at {shape.label()}")
            values, first, last = parameters(name, shape, compacted)
            after = _measure(query, values, compacted, first, last, repeats)
            if raw is not None:
                before = _measure(query, values, raw, first, last, raw_repeats)
                raw_at[executions][name] = before
                yield from _rows(name, shape.label(), after, before, "")
            else:
                base = max(raw_sizes)
                # Naming checks do not grow with executions (about 4 a day at every size).
                grows = any(table is not NAMING_AUDIT for table in tables_read(query))
                factor = executions / base if grows else 1
                base_ms, base_scan = raw_at[base][name]
                scaled = (base_ms * factor, Scan(round(base_scan.files * factor), round(base_scan.bytes * factor)))
                yield from _rows(name, shape.label(), after, scaled, f"raw not generated: the {base:,}-execution raw figures x{factor:g}")


def _measure(query: NamedQuery, values: list[str], lake: Path, first: str, last: str, repeats: int) -> tuple[float, Scan]:
    """Median wall time of ``repeats`` runs (the first one included: each run opens a fresh DuckDB, as the
    CLI does, and the files are in the page cache after the lake was written), and the scan estimate."""
    bound = query.bind(values)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = run_local(query, bound, lake)
        times.append((time.perf_counter() - started) * 1000)
        if not result.rows:
            raise RuntimeError(f"{query.name} found no rows in {lake}: the benchmark would time nothing")
    return statistics.median(times), scanned(query, lake, first, last)


def _rows(name: str, size: str, compacted: tuple[float, Scan], raw: tuple[float, Scan], note: str) -> list[Row]:
    (ms, scan), (raw_ms, raw_scan) = compacted, raw
    case = f"{name} @ {size}"
    return [
        Row(case, "wall time", "ms", ms, raw_ms, note),
        Row(case, "files touched", "files", scan.files, raw_scan.files, note),
        Row(case, "bytes Athena would scan", "MB", scan.bytes / MB, raw_scan.bytes / MB, note),
    ]


BENCHMARK = Benchmark(
    name="queries-layout",
    title="Named queries: compacted lake against raw snapshots",
    measures=(
        "Each named query (`mlmeta/queries/sql/*.sql`) on the local engine (DuckDB, `mlmeta.queries.local_engine.run_local`, a fresh "
        "connection per run as the CLI does) over a year of runs of 10 pipelines (`mlmeta.local.synthetic_lake`, seeded; "
        "1k, 100k and 1M executions; about 4 naming checks a day), with an analyst's bounds: metric_history, "
        "metric_drift and execution_comparison over the last 90 days, runs and naming_violations over 30, "
        "latest_metrics over 7. Wall time: median of repeated runs. Files touched and bytes Athena would scan: "
        "the objects of the partitions the query's dt bounds select (`bench/athena_scan.py`): a raw gzip JSON "
        "object whole, a compacted Parquet object as the column chunks of the columns the query names plus its "
        "footer (every row group counted: an upper bound). The compacted lake is the raw lake compacted by "
        "`mlmeta.lake.compaction` (raw objects still there, as in the bucket); at 1M executions it is written "
        "straight from generated records (`bench/lake_sizes.py`), because two million raw objects take too long "
        "to write, and its baseline is the 100k raw figures scaled by 10 (by 1 for naming_violations: naming checks do not grow with executions; said in the note). Generated lakes are "
        "cached in `~/.cache/mlmeta-bench` (the first run takes minutes)."
    ),
    baseline="the same query, parameters and engine over the raw layout (one gzip JSON object per execution and table).",
    ratio_means="compacted ÷ raw: below 1 the compacted layout needs less (0.1 = 10 times less).",
    run=run,
)
