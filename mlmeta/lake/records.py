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
    return [json.loads(line) for line in gzip.decompress(blob).decode("utf-8").splitlines() if line]
