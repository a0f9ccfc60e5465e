"""Object keys of the lake (design §5). Deterministic, so a re-snapshot overwrites the same object."""

from __future__ import annotations

from datetime import date, datetime, timezone

from mlmeta.lake.schema import PARTITION_KEY, TableSpec


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
