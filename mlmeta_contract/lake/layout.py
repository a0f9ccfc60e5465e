"""Object keys of the lake (docs/design.md §5). Deterministic, so a re-snapshot overwrites the same object."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone

from mlmeta_contract.lake.schema import PARTITION_KEY, TableSpec


def partition_value(moment: datetime | date) -> str:
    """The ``dt`` partition of a moment: its UTC date as YYYY-MM-DD."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("partition_value needs an aware datetime (UTC)")
        return moment.astimezone(timezone.utc).date().isoformat()
    return moment.isoformat()


def object_key(table: TableSpec, dt: str, object_id: str) -> str:
    """``<prefix>/dt=YYYY-MM-DD/<object_id>.json.gz``."""
    return f"{table.prefix}/{PARTITION_KEY}={dt}/{object_id}.json.gz"


# One Parquet object per table and day (docs/compaction.md): replacing a day is one PUT.
COMPACTED_OBJECT_NAME = "data.parquet"
RAW_SUFFIX = ".json.gz"
# The compactor's bookkeeping (which days are compacted, from what, and the watermark).
COMPACTION_STATE_KEY = "state/compaction/compaction-state.json"
# Malformed events too large for the quarantine queue (lambdas/mlmeta_runtime/quarantine.py).
QUARANTINE_PREFIX = "quarantine"


def quarantine_key(sha256: str, moment: datetime) -> str:
    """``quarantine/dt=<UTC day of moment>/<sha256>.json.gz``: a quarantined event, named by its content."""
    return f"{QUARANTINE_PREFIX}/{PARTITION_KEY}={partition_value(moment)}/{sha256}.json.gz"


def partition_prefix(prefix: str, dt: str) -> str:
    """``<prefix>/dt=YYYY-MM-DD/``: the keys of one day."""
    return f"{prefix}/{PARTITION_KEY}={dt}/"


def compacted_key(table: TableSpec, dt: str) -> str:
    """``compacted/<table>/dt=YYYY-MM-DD/data.parquet``."""
    return partition_prefix(table.compacted_prefix, dt) + COMPACTED_OBJECT_NAME


def raw_partition(key: str, tables: Iterable[TableSpec]) -> tuple[TableSpec, str] | None:
    """The table and day of a raw object key (``raw/metric_snapshots/dt=2026-01-05/x.json.gz``), or None
    when the key is not a raw snapshot or audit object of one of ``tables``."""
    for table in tables:
        rest = key.removeprefix(f"{table.prefix}/{PARTITION_KEY}=")
        if rest != key and "/" in rest:
            dt, name = rest.split("/", 1)
            if is_day(dt) and name.endswith(RAW_SUFFIX) and "/" not in name:
                return table, dt
    return None


def parse_day(text: str) -> str:
    """``text`` if it is a ``dt`` value the lake's writers make, a day as YYYY-MM-DD; else ValueError naming it.

    ``date.fromisoformat`` alone is not enough: it also takes ``20260105`` and ``2026-W02-1``, which
    name no partition, so the day must also be its own ISO form."""
    try:
        if date.fromisoformat(text).isoformat() == text:
            return text
    except (TypeError, ValueError):
        pass
    raise ValueError(f"not a day (YYYY-MM-DD): {text!r}")


def is_day(text: str) -> bool:
    """Whether ``text`` is a day as ``parse_day`` takes it."""
    try:
        parse_day(text)
    except ValueError:
        return False
    return True


def layout_folders(tables: Iterable[TableSpec]) -> tuple[str, ...]:
    """The folders a lake holds, per table: its raw objects (``raw/metric_snapshots``, ``audit/naming``)
    and its compacted days (``compacted/metric_snapshots``). A lake directory has at least one."""
    return tuple(folder for table in tables for folder in (table.prefix, table.compacted_prefix))
