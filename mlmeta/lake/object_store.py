"""What compaction needs from a bucket, and a local directory that behaves like one.

The compactor (``mlmeta.lake.compaction``) only lists, reads and writes whole objects through
``ObjectStore``: in Lambda an S3 bucket (``lambdas/compactor/s3_store.py``), locally a directory laid
out like the bucket (``LocalDirectoryStore``: ``mlmeta compact --lake DIR``, the tests, the benchmarks).

Every write is conditional, as S3's conditional writes are (``If-Match`` / ``If-None-Match: *``): two
compactions of the same day cannot silently overwrite each other's newer result.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from mlmeta_contract.lake.schema import PARTITION_KEY


class PreconditionFailed(Exception):
    """A conditional write found the object changed (or created) since it was read."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    # Changes whenever the object is written (S3's ETag; here size and modification time).
    etag: str


@dataclass(frozen=True)
class Blob:
    data: bytes
    etag: str


class ObjectStore(Protocol):
    def list_objects(self, prefix: str) -> list[StoredObject]:
        """Every object whose key starts with ``prefix``, sorted by key."""
        ...

    def list_partitions(self, prefix: str) -> list[str]:
        """The ``dt`` values of the ``<prefix>/dt=.../`` folders, sorted."""
        ...

    def get(self, key: str) -> Blob | None:
        """The object's bytes and ETag, or None when there is no such object."""
        ...

    def put(self, key: str, data: bytes, *, replaces: str | None) -> str:
        """Write ``key`` if it still has the ETag ``replaces`` (None: if it does not exist); return the new
        ETag. Raises PreconditionFailed otherwise."""
        ...


class LocalDirectoryStore:
    """A directory laid out like the lake bucket (keys are relative POSIX paths).

    Writes go to a hidden temporary file that is renamed over the target, so a reader sees the old or
    the new object, never half of one. The ETag is size and modification time (no need to read every
    file to list a day). The precondition check and the rename are not one atomic step: one writer at a
    time, as the CLI and the tests are.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def list_objects(self, prefix: str) -> list[StoredObject]:
        directory = self.root / prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
        if not directory.is_dir():
            return []
        found = []
        for folder, subfolders, names in os.walk(directory):
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
            for name in names:
                if name.startswith("."):
                    continue  # temporary files of a write in progress
                path = Path(folder) / name
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    found.append(StoredObject(key, _etag(path)))
        return sorted(found, key=lambda stored: stored.key)

    def list_partitions(self, prefix: str) -> list[str]:
        directory = self.root / prefix
        if not directory.is_dir():
            return []
        marker = f"{PARTITION_KEY}="
        return sorted(entry.name[len(marker) :] for entry in directory.iterdir() if entry.is_dir() and entry.name.startswith(marker))

    def get(self, key: str) -> Blob | None:
        path = self.root / key
        try:
            return Blob(path.read_bytes(), _etag(path))
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes, *, replaces: str | None) -> str:
        path = self.root / key
        current = _etag(path) if path.is_file() else None
        if current != replaces:
            raise PreconditionFailed(f"{key}: expected {'no object' if replaces is None else replaces}, found {current or 'none'}")
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return _etag(path)


def _etag(path: Path) -> str:
    status = path.stat()
    return f"{status.st_size}-{status.st_mtime_ns}"
