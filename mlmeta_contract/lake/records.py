"""Encoding of lake objects: gzip JSON Lines, byte-identical for identical records."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping
from typing import Any


def encode_records(records: Iterable[Mapping[str, Any]]) -> bytes:
    """One JSON object per line, keys sorted, gzip with a zero mtime so a replay writes the same bytes."""
    lines = "".join(json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n" for r in records)
    return gzip.compress(lines.encode("utf-8"), mtime=0)


def decode_records(blob: bytes) -> list[dict[str, Any]]:
    """The records of a lake object. Raises ValueError (or gzip's own errors) on anything that is not
    gzip JSON Lines of objects: a reader must not take a broken object for an empty one."""
    if not blob:
        # gzip.decompress(b"") returns b"" without complaint; a 0-byte object is a failed write, not "no rows".
        raise ValueError("0 bytes: not a gzip object")
    records = []
    for number, line in enumerate(gzip.decompress(blob).decode("utf-8").splitlines(), start=1):
        if not line:
            continue
        record = json.loads(line)
        if not isinstance(record, dict):
            raise ValueError(f"line {number} is a JSON {type(record).__name__}, not an object")
        records.append(record)
    return records
