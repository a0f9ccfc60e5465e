"""Synthetic lakes of a year of pipeline runs, at any number of executions, generated once and cached.

- ``raw_lake(shape)``: every execution's snapshots as written (one object per execution and table), plus
  naming checks; ``mlmeta.local.synthetic_lake`` generates them in time chunks so memory stays bounded.
- ``compacted_lake(shape)``: the raw lake compacted by the real compactor (``mlmeta.lake.compaction``)
  into a directory whose ``raw/`` and ``audit/`` are links to the raw lake's: raw objects stay, as in the
  bucket, and the views read compacted days.
- ``compacted_only_lake(shape)``: compacted objects written straight from generated records, day by
  day in two processes, with no raw objects (a million executions' raw objects would be 2 million
  files). Same encoder and same state as the compactor writes.

The cache (``$MLMETA_BENCH_CACHE``, default ``~/.cache/mlmeta-bench``) is keyed by the shape, the seed
and the bytes of the code that decides the lakes' content, so a code change regenerates them. It is
never committed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mlmeta.lake import compaction, compaction_state, parquet
from mlmeta.lake.compaction import compact, raw_days
from mlmeta.lake.compaction_state import CompactedDay, CompactionState, TableState
from mlmeta.lake.object_store import LocalDirectoryStore
from mlmeta.lake.parquet import encode_parquet
from mlmeta_contract.lake.schema import NAMING_AUDIT, TABLES
from mlmeta.local import synthetic_lake
from mlmeta.local.synthetic_lake import LakeRecords, generate_history, write_lake
from mlmeta_contract.lake import layout, records, schema
from mlmeta_contract.lake.layout import COMPACTION_STATE_KEY, compacted_key

START = datetime(2025, 1, 1, tzinfo=UTC)
# Executions generated at once: about 260,000 records, a few hundred MB.
CHUNK_EXECUTIONS = 20_000
# The code whose output the cached lakes are.
_CONTENT_CODE = (synthetic_lake, records, layout, schema, parquet, compaction, compaction_state)
_COMPLETE = ".complete"


@dataclass(frozen=True)
class LakeShape:
    executions: int
    days: int = 365
    pipelines: int = 10
    # Naming checks per day (CloudTrail verdicts): the naming_audit table.
    checks_per_day: int = 4

    @property
    def use_cases(self) -> tuple[str, ...]:
        return tuple(f"use-case-{n:02d}" for n in range(self.pipelines))

    @property
    def last_day(self) -> str:
        return (START + timedelta(days=self.days - 1)).date().isoformat()

    def label(self) -> str:
        return f"{self.executions:,} executions"


def cache_root() -> Path:
    return Path(os.environ.get("MLMETA_BENCH_CACHE", Path.home() / ".cache" / "mlmeta-bench"))


def raw_lake(shape: LakeShape, seed: int, progress: Callable[[str], None]) -> Path:
    return _cached("raw", shape, seed, progress, lambda directory: _write_raw(directory, shape, seed, progress))


def compacted_lake(shape: LakeShape, seed: int, progress: Callable[[str], None]) -> Path:
    raw = raw_lake(shape, seed, progress)

    def build(directory: Path) -> None:
        for top in {table.prefix.split("/")[0] for table in TABLES}:
            (directory / top).symlink_to(raw / top, target_is_directory=True)
        store = LocalDirectoryStore(directory)
        report = compact(store, raw_days(store))
        if report.failures:
            raise RuntimeError(f"compaction failed: {report.summary()['failures'][:3]}")

    return _cached("compacted", shape, seed, progress, build)


def compacted_only_lake(shape: LakeShape, seed: int, progress: Callable[[str], None]) -> Path:
    def build(directory: Path) -> None:
        days = list(range(shape.days))
        halves = [days[0::2], days[1::2]]
        with ProcessPoolExecutor(max_workers=2) as pool:
            done = list(pool.map(_write_compacted_days, [directory] * 2, [shape] * 2, [seed] * 2, halves))
        entries: dict[str, dict[str, CompactedDay]] = defaultdict(dict)
        for table, dt, rows in (entry for part in done for entry in part):
            # No raw objects: the fingerprint of an empty listing (what the compactor would record).
            entries[table][dt] = CompactedDay(hashlib.sha256().hexdigest(), 0, rows)
        state = CompactionState({
            table.name: TableState(ranges=((min(entries[table.name]), max(entries[table.name])),), days=entries[table.name])
            for table in TABLES
        })  # fmt: skip
        (directory / COMPACTION_STATE_KEY).parent.mkdir(parents=True, exist_ok=True)
        (directory / COMPACTION_STATE_KEY).write_bytes(state.encode())

    return _cached("compacted-only", shape, seed, progress, build)


def history_chunks(shape: LakeShape, seed: int) -> Iterator[LakeRecords]:
    """The year's executions in chunks of time, each execution ending inside its chunk."""
    chunks = max(1, shape.executions // CHUNK_EXECUTIONS)
    span = timedelta(days=shape.days) / chunks
    for chunk in range(chunks):
        runs = shape.executions // chunks // shape.pipelines + (chunk < (shape.executions // shape.pipelines) % chunks)
        yield _generate(shape, seed + chunk, START + chunk * span, span, runs, shape.checks_per_day * span.days or 1)


def day_records(shape: LakeShape, seed: int, day: int) -> LakeRecords:
    """One day's executions (``executions / days`` of them), each ending that day."""
    runs = max(1, shape.executions // shape.days // shape.pipelines)
    return _generate(shape, seed * 1_000 + day, START + timedelta(days=day), timedelta(days=1), runs, shape.checks_per_day)


def _generate(shape: LakeShape, seed: int, start: datetime, span: timedelta, runs: int, checks: int) -> LakeRecords:
    # Runs start evenly over the span, the last two hours left free so every execution (up to 96
    # minutes) ends inside it; naming checks are 7 hours apart from the start.
    spacing = (span - timedelta(hours=2)) / max(runs, 1)
    history = generate_history(seed=seed, use_cases=shape.use_cases, executions=runs, start=start, spacing=spacing, naming_checks=0)
    audit = generate_history(seed=seed, use_cases=shape.use_cases[:1], executions=0, start=start, naming_checks=checks)
    inside = tuple(r for r in audit.naming_audit if r["checked_at"] < (start + span).isoformat().replace("+00:00", "Z"))
    return LakeRecords(history.metric_snapshots, history.component_snapshots, inside)


def _write_raw(directory: Path, shape: LakeShape, seed: int, progress: Callable[[str], None]) -> None:
    written = 0
    for chunk in history_chunks(shape, seed):
        written += len(write_lake(directory, chunk))
        progress(f"raw lake of {shape.label()}: {written:,} objects written")


def _write_compacted_days(directory: Path, shape: LakeShape, seed: int, days: list[int]) -> list[tuple[str, str, int]]:
    written = []
    for day in days:
        records = day_records(shape, seed, day)
        dt = (START + timedelta(days=day)).date().isoformat()
        for table, rows in records.by_table().items():
            if not rows:
                continue
            # Naming checks are dated by their check time; every other row by its execution's end.
            column = "checked_at" if table is NAMING_AUDIT else "execution_end"
            assert all(row[column].startswith(dt) for row in rows), (table.name, dt)
            path = directory / compacted_key(table, dt)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(encode_parquet(table, rows, {"mlmeta.table": table.name, "mlmeta.dt": dt, "mlmeta.rows": str(len(rows))}))
            written.append((table.name, dt, len(rows)))
    return written


def _cached(kind: str, shape: LakeShape, seed: int, progress: Callable[[str], None], build: Callable[[Path], None]) -> Path:
    directory = cache_root() / f"{kind}-{shape.executions}-{_fingerprint(shape, seed)}"
    if (directory / _COMPLETE).is_file():
        return directory
    # Lakes of the same kind and size made by older code are stale: a few hundred MB each.
    for stale in cache_root().glob(f"{kind}-{shape.executions}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    directory.mkdir(parents=True)
    progress(f"building the {kind} lake of {shape.label()} in {directory} (cached for later runs)")
    build(directory)
    (directory / _COMPLETE).write_text("")
    return directory


def _fingerprint(shape: LakeShape, seed: int) -> str:
    digest = hashlib.sha256(f"{shape!r} seed={seed}\n".encode())
    for module in _CONTENT_CODE:
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]
