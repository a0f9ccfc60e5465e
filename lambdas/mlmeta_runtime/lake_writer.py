"""Writing lake objects: records checked against the data contract, encoded deterministically
(``mlmeta_contract.lake.records``) and put at the deterministic key of ``mlmeta_contract.lake.layout``, so writing the
same records again overwrites the object with the same bytes.

A PutObject is atomic: readers see the old object or the new one, never part of one. No
ContentEncoding is set on purpose: Athena reads ``.json.gz`` by its extension, and a
``Content-Encoding: gzip`` would make some HTTP clients hand back decompressed bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from mlmeta_contract.lake.layout import object_key
from mlmeta_contract.lake.records import encode_records
from mlmeta_contract.lake.schema import TableSpec

CONTENT_TYPE = "application/gzip"


@dataclass(frozen=True)
class LakeObject:
    """One object to write: a table's records for one partition (``dt``) and object id."""

    table: TableSpec
    dt: str
    object_id: str
    records: tuple[Mapping[str, Any], ...]

    @property
    def key(self) -> str:
        return object_key(self.table, self.dt, self.object_id)

    def body(self) -> bytes:
        for record in self.records:
            check_record(self.table, record)
        return encode_records(self.records)


def check_record(table: TableSpec, record: Mapping[str, Any]) -> None:
    """Raise if ``record``'s keys are not exactly the table's columns (a bug, not bad input)."""
    if set(record) != set(table.column_names):
        difference = sorted(set(record) ^ set(table.column_names))
        raise ValueError(f"{table.name} record does not match the schema: {difference}")


def write_objects(s3: Any, bucket: str, objects: Sequence[LakeObject]) -> list[str]:
    """Encode every object first (a schema bug fails before anything is written), then put them in
    order; returns the keys. The caller orders them so that the last one marks completion."""
    bodies = [(lake_object.key, lake_object.body()) for lake_object in objects]
    for key, body in bodies:
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=CONTENT_TYPE)
    return [key for key, _ in bodies]


def iso_utc(moment: datetime | None) -> str | None:
    """The lake's time format: ISO-8601 UTC, milliseconds, ``Z`` (2026-01-05T08:00:00.000Z)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("iso_utc needs an aware datetime")
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
