"""Compaction of the lake (docs/design.md §7, docs/compaction.md): each table's raw objects of a day rewritten as
one Parquet object, ``compacted/<table>/dt=YYYY-MM-DD/data.parquet``.

- **Idempotent.** The state (``state/compaction/compaction-state.json``) remembers, per table and day,
  a fingerprint of the raw listing (keys and ETags) the object was made from. A rerun over an unchanged
  day lists it and stops: no read, no write. A changed listing (a late snapshot, a re-snapshot) makes the
  object again; the same rows give the same bytes (``mlmeta.lake.parquet``), and an object that already
  has those bytes is not written again.
- **Atomic per partition.** Which days read from compacted objects is a list of day ranges per table in
  the state, written into the analysts' views (``mlmeta.lake.views``). A day's object is written before
  its day enters a range, so until then the day reads from raw, afterwards from its one object; a
  recompaction replaces that one object in one PUT. No moment reads a day as empty or twice.
- **Late snapshots.** A raw object that arrives for a compacted day is not read (the view takes that
  day from its object) until that day is compacted again: ``compact_late_object`` (the S3 event path)
  does it within a minute, the scheduled run rechecks the last days.

Pure functions over an ``ObjectStore``: the same code runs in the compactor Lambda against S3 and
locally against a directory. Imports: the standard library, pyarrow, and ``mlmeta.lake``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from mlmeta.lake.compaction_state import CompactedDay, CompactionError, CompactionState, TableState, read_state
from mlmeta_contract.lake.layout import COMPACTION_STATE_KEY, RAW_SUFFIX, compacted_key, is_day, parse_day, partition_prefix, raw_partition
from mlmeta.lake.object_store import ObjectStore, PreconditionFailed
from mlmeta.lake.parquet import encode_parquet
from mlmeta.lake.views import DayRange
from mlmeta_contract.lake.records import decode_records
from mlmeta_contract.lake.schema import TABLES, TableSpec

# Parquet key-value metadata of every compacted object (docs/compaction.md).
METADATA_PREFIX = "mlmeta."
# Concurrent compactions of one day (the schedule and an S3 event) retry after a conflicting write.
MAX_ATTEMPTS = 5

Outcome = Literal["unchanged", "written", "same-bytes", "no-raw-objects", "skipped-not-compacted", "failed"]


@dataclass(frozen=True)
class DayResult:
    table: str
    dt: str
    outcome: Outcome
    source_objects: int = 0
    rows: int = 0
    reason: str = ""


@dataclass(frozen=True)
class CompactionReport:
    results: tuple[DayResult, ...]
    # True when should_stop() ended the run before every day was looked at.
    stopped_early: bool
    state_written: bool

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def failures(self) -> tuple[DayResult, ...]:
        return tuple(r for r in self.results if r.outcome == "failed")

    def summary(self) -> dict[str, object]:
        outcomes: dict[str, int] = {}
        for result in self.results:
            outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        return {
            "days": len({r.dt for r in self.results}),
            "outcomes": dict(sorted(outcomes.items())),
            "stopped_early": self.stopped_early,
            "state_written": self.state_written,
            "failures": [f"{r.table} {r.dt}: {r.reason}" for r in self.failures],
        }


def compact(
    store: ObjectStore,
    days: Iterable[str],
    *,
    tables: Sequence[TableSpec] = TABLES,
    only_compacted: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
) -> CompactionReport:
    """Compact ``days`` (YYYY-MM-DD) of ``tables``, oldest first, then record the state and the ranges.

    ``only_compacted``: recompact only days already in a compacted range (the late-snapshot path: a day
    not compacted yet reads from raw anyway). ``should_stop``: checked before each table-day; the days
    done so far are recorded (a Lambda near its timeout).
    """
    wanted = sorted({parse_day(dt) for dt in days})
    for _attempt in range(MAX_ATTEMPTS):
        state, state_etag = read_state(store)
        results: list[DayResult] = []
        entries = {table.name: dict(state.table(table.name).days) for table in tables}
        stopped = False
        for dt in wanted:
            for table in tables:
                if should_stop():
                    stopped = True
                    break
                if only_compacted and not state.table(table.name).covers(dt):
                    results.append(DayResult(table.name, dt, "skipped-not-compacted", reason="the day reads from raw objects"))
                    continue
                result, entry = _compact_day(store, table, dt, entries[table.name].get(dt))
                results.append(result)
                if entry is not None:
                    entries[table.name][dt] = entry
            if stopped:
                break
        new_state = _next_state(store, state, tables, entries, ranges_may_grow=not only_compacted)
        if new_state == state:
            return CompactionReport(tuple(results), stopped, state_written=False)
        try:
            store.put(COMPACTION_STATE_KEY, new_state.encode(), replaces=state_etag)
        except PreconditionFailed:
            continue  # another compaction recorded its days meanwhile: redo ours on top of its state
        return CompactionReport(tuple(results), stopped, state_written=True)
    raise CompactionError(f"{COMPACTION_STATE_KEY} kept changing during {MAX_ATTEMPTS} attempts; another compaction is running")


def compact_late_object(store: ObjectStore, key: str, *, today: date, tables: Sequence[TableSpec] = TABLES) -> CompactionReport | None:
    """A raw object was written at ``key``: recompact its day if that day is compacted already (its
    view would not see the object otherwise). None when ``key`` is not a raw object of ``tables``.

    Most objects are today's snapshots: one listing shows their day has no compacted object, and the
    state is not even read, so this costs the same whatever the lake's history."""
    found = raw_partition(key, tables)
    if found is None:
        return None
    table, dt = found
    if dt >= today.isoformat() and not store.list_objects(compacted_key(table, dt)):
        skipped = DayResult(table.name, dt, "skipped-not-compacted", reason="a day is compacted after it ends")
        return CompactionReport((skipped,), stopped_early=False, state_written=False)
    return compact(store, [dt], tables=[table], only_compacted=True)


def scheduled_days(store: ObjectStore, today: date, lookback_days: int, *, tables: Sequence[TableSpec] = TABLES) -> list[str]:
    """The days a scheduled run looks at: the ``lookback_days`` days before ``today`` (yesterday's first
    compaction, late snapshots the event path missed), and every older day with raw objects that was
    never compacted (the first run after deploying, a day whose compaction failed). ``today`` itself is
    never compacted: its snapshots are still being written."""
    if lookback_days < 1:
        raise ValueError("lookback_days must be at least 1 (yesterday)")
    window = {(today - timedelta(days=n)).isoformat() for n in range(1, lookback_days + 1)}
    state, _ = read_state(store)
    never = {
        dt
        for table in tables
        for dt in _day_partitions(store, table)
        if dt < today.isoformat() and dt not in state.table(table.name).days
    }
    return sorted(window | never)


def raw_days(store: ObjectStore, *, tables: Sequence[TableSpec] = TABLES) -> list[str]:
    """Every day with a raw partition in any of ``tables`` (folders that are not days: ``stray_folders``)."""
    return sorted({dt for table in tables for dt in _day_partitions(store, table)})


def stray_folders(store: ObjectStore, *, tables: Sequence[TableSpec] = TABLES) -> list[str]:
    """The ``<prefix>/dt=.../`` folders whose value is not a day (``dt=garbage``): no writer of the lake makes
    them and neither Athena's partition projection nor the compactor reads them, so they are left alone
    and reported, and never stop the compaction of the real days."""
    return [partition_prefix(table.prefix, dt) for table in tables for dt in store.list_partitions(table.prefix) if not is_day(dt)]


def _day_partitions(store: ObjectStore, table: TableSpec) -> list[str]:
    return [dt for dt in store.list_partitions(table.prefix) if is_day(dt)]


def source_digest(objects: Sequence[tuple[str, bytes]]) -> str:
    """SHA-256 over each raw object's key and the SHA-256 of its bytes (recorded in the Parquet metadata)."""
    digest = hashlib.sha256()
    for key, data in sorted(objects):
        digest.update(f"{key}\0{hashlib.sha256(data).hexdigest()}\n".encode())
    return digest.hexdigest()


def _compact_day(store: ObjectStore, table: TableSpec, dt: str, previous: CompactedDay | None) -> tuple[DayResult, CompactedDay | None]:
    for _attempt in range(MAX_ATTEMPTS):
        prefix = partition_prefix(table.prefix, dt)
        # Only the day's own snapshot objects: nothing in sub-folders, nothing but .json.gz.
        listing = [o for o in store.list_objects(prefix) if o.key.endswith(RAW_SUFFIX) and "/" not in o.key[len(prefix) :]]
        fingerprint = _listing_fingerprint(listing)
        if previous is not None and previous.source_listing == fingerprint:
            return DayResult(table.name, dt, "unchanged", previous.source_objects, previous.rows), None
        if not listing and previous is None:
            return DayResult(table.name, dt, "no-raw-objects"), None
        target = compacted_key(table, dt)
        existing = store.get(target)
        try:
            sources = [(o.key, _read(store, o.key)) for o in listing]
            rows = [row for key, data in sources for row in _decode(key, data)]
            blob = encode_parquet(table, rows, _metadata(table, dt, sources, len(rows)))
        except Exception as err:  # an unreadable object fails its day only (left raw); the run reports it
            return DayResult(table.name, dt, "failed", len(listing), reason=_failure_reason(err)), None
        entry = CompactedDay(fingerprint, len(sources), len(rows))
        if existing is not None and existing.data == blob:
            return DayResult(table.name, dt, "same-bytes", len(sources), len(rows)), entry
        try:
            store.put(target, blob, replaces=existing.etag if existing else None)
        except PreconditionFailed:
            continue  # another compaction wrote this day meanwhile: list again
        return DayResult(table.name, dt, "written", len(sources), len(rows)), entry
    raise CompactionError(f"{compacted_key(table, dt)} kept changing during {MAX_ATTEMPTS} attempts")


def _next_state(
    store: ObjectStore,
    state: CompactionState,
    tables: Sequence[TableSpec],
    entries: Mapping[str, Mapping[str, CompactedDay]],
    *,
    ranges_may_grow: bool,
) -> CompactionState:
    tables_state = dict(state.tables)
    for table in tables:
        days = dict(entries[table.name])
        previous = state.table(table.name)
        ranges = _ranges(days, _day_partitions(store, table)) if ranges_may_grow else previous.ranges
        tables_state[table.name] = TableState(ranges=ranges, days=days)
    return replace(state, tables=tables_state)


def _ranges(compacted: Mapping[str, CompactedDay], raw: Iterable[str]) -> tuple[DayRange, ...]:
    """Runs of compacted days; a day with neither raw objects nor an entry (nothing ran that day) does not
    break a run, a day with raw objects that is not compacted does."""
    ranges: list[DayRange] = []
    current: list[str] = []
    for dt in sorted(set(compacted) | set(raw)):
        if dt in compacted:
            current = [current[0], dt] if current else [dt, dt]
        elif current:
            ranges.append((current[0], current[1]))
            current = []
    if current:
        ranges.append((current[0], current[1]))
    return tuple(ranges)


def _listing_fingerprint(listing: Sequence) -> str:
    digest = hashlib.sha256()
    for stored in listing:
        digest.update(f"{stored.key}\0{stored.etag}\n".encode())
    return digest.hexdigest()


def _metadata(table: TableSpec, dt: str, sources: Sequence[tuple[str, bytes]], rows: int) -> dict[str, str]:
    return {
        f"{METADATA_PREFIX}table": table.name,
        f"{METADATA_PREFIX}dt": dt,
        f"{METADATA_PREFIX}rows": str(rows),
        f"{METADATA_PREFIX}source_objects": str(len(sources)),
        f"{METADATA_PREFIX}source_sha256": source_digest(sources),
    }


class UnreadableObject(Exception):
    """A raw object of the day cannot be decoded: its day must not be compacted without it."""

    def __init__(self, key: str, cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__} in {key}: {cause}")
        self.key = key


def _decode(key: str, data: bytes) -> list[dict]:
    try:
        return decode_records(data)
    except Exception as err:  # gzip, UTF-8, JSON or shape: whichever it is, the key says where
        raise UnreadableObject(key, err) from err


def _failure_reason(err: Exception) -> str:
    return str(err) if isinstance(err, UnreadableObject) else f"{type(err).__name__}: {err}"


def _read(store: ObjectStore, key: str) -> bytes:
    blob = store.get(key)
    if blob is None:
        raise FileNotFoundError(f"{key} disappeared while its day was compacted")
    return blob.data
