"""A LocalDirectoryStore that records every call, and can act between a write and the next call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mlmeta.lake.object_store import Blob, LocalDirectoryStore, StoredObject


class RecordingStore(LocalDirectoryStore):
    def __init__(self, root: Path, after_put: Callable[[str], None] | None = None, before_put: Callable[[str], None] | None = None) -> None:
        super().__init__(root)
        self.puts: list[str] = []
        self.gets: list[str] = []
        self.lists: list[str] = []
        self.after_put = after_put
        self.before_put = before_put

    def list_objects(self, prefix: str) -> list[StoredObject]:
        self.lists.append(prefix)
        return super().list_objects(prefix)

    def get(self, key: str) -> Blob | None:
        self.gets.append(key)
        return super().get(key)

    def put(self, key: str, data: bytes, *, replaces: str | None) -> str:
        if self.before_put is not None:
            self.before_put(key)
        etag = super().put(key, data, replaces=replaces)
        self.puts.append(key)
        if self.after_put is not None:
            self.after_put(key)
        return etag
