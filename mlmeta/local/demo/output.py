"""The demo's output directory, and the one rule about it: the demo never deletes what it did not write.

The demo writes into a new or empty directory, or, with ``--force``, over an earlier demo's output. It
knows its own output by a manifest it keeps there, ``.mlmeta-demo.json``, listing every file it wrote
(relative paths). A file is listed before it is written (the lake's files right after the copy, into a
``lake/`` that did not exist), so an interrupted demo's output is still recognised; a file it lists
that a person changed is the demo's to replace, a file it does not list is never deleted.

- a directory that is not empty and has no manifest (a lake synced there, ``--out .``): refused;
- an earlier demo's output without ``--force``: refused, naming ``--force``;
- with ``--force``: refused if anything in it is not in the manifest, otherwise exactly the listed
  files are deleted (and the folders they leave empty), before the demo starts.

Refusals raise ``DemoOutputError`` before anything is deleted or written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

MANIFEST = ".mlmeta-demo.json"
WRITER = "mlmeta demo"


class DemoOutputError(ValueError):
    """The output directory may not be used; the message says why and what to do, in one line."""


class DemoOutput:
    """An output directory the demo may write: ``claim`` each file before writing it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: set[str] = set()

    @classmethod
    def prepare(cls, root: Path, *, force: bool = False) -> DemoOutput:
        """Check ``root`` (created if missing), delete an earlier demo's files if ``force``, and return
        it ready to write. Raises DemoOutputError (nothing deleted) or OSError (cannot be created)."""
        listed = check_output(root, force=force)  # the manifest itself included
        for relative in sorted(listed & _files_under(root)):
            (root / relative).unlink()
        _remove_emptied_folders(root, listed)
        return cls(root)

    def claim(self, paths: Iterable[Path]) -> None:
        """Record ``paths`` (inside the root) as the demo's, before they are written."""
        self._files |= {_relative(self.root, path) for path in paths}
        _write_manifest(self.root, self._files)

    def claim_tree(self, folder: Path) -> None:
        """Record every file under ``folder``: what the demo just wrote into a folder that did not exist."""
        self.claim(path for path in folder.rglob("*") if path.is_file())


def check_output(root: Path, *, force: bool = False) -> set[str]:
    """Whether the demo may write into ``root`` (created if missing), deleting nothing: the files an
    earlier demo's manifest lists there (empty when there is none). Raises DemoOutputError or OSError."""
    root.mkdir(parents=True, exist_ok=True)
    present = _files_under(root)
    if not present:
        return set()
    listed = _read_manifest(root)
    if listed is None:
        raise DemoOutputError(
            f"{root} is not empty and is not an earlier demo's output (no {MANIFEST}): nothing was deleted; "
            "choose a new or empty --out (--force replaces only an earlier demo's output)"
        )
    if not force:
        raise DemoOutputError(f"{root} holds an earlier demo's output: pass --force to replace it, or choose another --out")
    foreign = sorted(present - listed - {MANIFEST})
    if foreign:
        raise DemoOutputError(
            f"{root / foreign[0]} was not written by the demo ({len(foreign)} such file(s)): nothing was deleted; "
            "move them out, or choose another --out"
        )
    return listed | {MANIFEST}


def _files_under(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file() or path.is_symlink()}


def _read_manifest(root: Path) -> set[str] | None:
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = manifest.get("files") if isinstance(manifest, dict) and manifest.get("written_by") == WRITER else None
    if not isinstance(files, list) or not all(isinstance(f, str) and _is_inside(f) for f in files):
        return None
    return set(files)


def _write_manifest(root: Path, files: set[str]) -> None:
    text = json.dumps({"written_by": WRITER, "files": sorted(files)}, indent=1) + "\n"
    handle, temporary = tempfile.mkstemp(dir=root, prefix=f"{MANIFEST}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, root / MANIFEST)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove_emptied_folders(root: Path, listed: set[str]) -> None:
    folders = {parent for relative in listed for parent in PurePosixPath(relative).parents if parent != PurePosixPath(".")}
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):  # deepest first
        path = root / folder
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _relative(root: Path, path: Path) -> str:
    relative = path.relative_to(root).as_posix()
    if not _is_inside(relative):
        raise ValueError(f"{path} is not inside {root}")
    return relative


def _is_inside(relative: str) -> bool:
    parts = PurePosixPath(relative).parts
    return bool(parts) and not PurePosixPath(relative).is_absolute() and ".." not in parts
