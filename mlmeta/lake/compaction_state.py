"""The compactor's bookkeeping (docs/compaction.md): per table, the day ranges that read from compacted
objects, and per compacted day the raw listing its object was made from.

One JSON object, ``state/compaction/compaction-state.json``, written with a conditional PUT. The local
engine reads the ranges from it to build the views; in AWS the compactor copies them into the Glue views.
Standard library only (the local engine imports it without pyarrow).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from mlmeta.lake.object_store import ObjectStore
from mlmeta.lake.views import DayRange
from mlmeta_contract.lake.layout import COMPACTION_STATE_KEY
from mlmeta_contract.lake.schema import TABLES

STATE_VERSION = 1


class CompactionError(RuntimeError):
    """Compaction could not finish (one line)."""


@dataclass(frozen=True)
class CompactedDay:
    """What a day's compacted object was made from."""

    # SHA-256 over the raw objects' keys and ETags: equal listing, nothing to do.
    source_listing: str
    source_objects: int
    rows: int


@dataclass(frozen=True)
class TableState:
    # The days the view reads from compacted objects (inclusive, sorted, disjoint).
    ranges: tuple[DayRange, ...] = ()
    days: Mapping[str, CompactedDay] = field(default_factory=dict)

    def covers(self, dt: str) -> bool:
        return any(first <= dt <= last for first, last in self.ranges)


@dataclass(frozen=True)
class CompactionState:
    tables: Mapping[str, TableState] = field(default_factory=dict)

    def table(self, name: str) -> TableState:
        return self.tables.get(name, TableState())

    def ranges(self, name: str) -> tuple[DayRange, ...]:
        return self.table(name).ranges

    def encode(self) -> bytes:
        """Sorted JSON: the same state gives the same bytes (a rerun writes nothing)."""
        document = {
            "version": STATE_VERSION,
            "tables": {
                name: {
                    "ranges": [list(r) for r in state.ranges],
                    "days": {dt: vars(day) for dt, day in sorted(state.days.items())},
                }
                for name, state in sorted(self.tables.items())
            },
        }
        return (json.dumps(document, sort_keys=True, indent=1) + "\n").encode("utf-8")

    @classmethod
    def decode(cls, blob: bytes) -> CompactionState:
        document = json.loads(blob)
        if document.get("version") != STATE_VERSION:
            raise CompactionError(f"{COMPACTION_STATE_KEY}: unknown state version {document.get('version')!r}")
        return cls(
            {
                name: TableState(
                    ranges=tuple((first, last) for first, last in table["ranges"]),
                    days={dt: CompactedDay(**day) for dt, day in table["days"].items()},
                )
                for name, table in document["tables"].items()
            }
        )


def read_state(store: ObjectStore) -> tuple[CompactionState, str | None]:
    """The state and its ETag (None: no state yet, nothing is compacted)."""
    blob = store.get(COMPACTION_STATE_KEY)
    return (CompactionState(), None) if blob is None else (CompactionState.decode(blob.data), blob.etag)


def compacted_ranges(store: ObjectStore) -> dict[str, tuple[DayRange, ...]]:
    """Per table, the days that read from compacted objects (what the views are built from)."""
    state, _ = read_state(store)
    return {table.name: state.ranges(table.name) for table in TABLES}
