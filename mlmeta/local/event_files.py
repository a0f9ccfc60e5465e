"""Recorded events from files, for ``mlmeta replay``: one JSON event, a JSON array of events, or JSON
Lines (one event a line).

Nothing a file holds stops the replay. What cannot be an EventBridge event (a line that is not JSON, a
value that is not a JSON object, a file that is not UTF-8) becomes an ``EventInput`` with a
``problem``, which replay quarantines like a handler quarantines a malformed event. A file that is
neither JSON nor JSON Lines (its first line is not JSON either, e.g. a truncated pretty-printed event)
is one such input, not one per line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class EventFileError(ValueError):
    """A file to replay cannot be read at all (missing, a directory, no permission)."""


@dataclass(frozen=True)
class EventInput:
    """One event to replay: where it came from (``file``, ``file:LINE``, ``file[INDEX]``) and its JSON
    value; with a ``problem``, ``event`` is the raw text or value that could not be an event."""

    origin: str
    event: Any
    problem: str | None = None


def check_readable(paths: Iterable[Path]) -> None:
    """Raise EventFileError naming the first path that is not a readable file."""
    for path in paths:
        if not path.is_file():
            raise EventFileError(f"event file {path} does not exist or is not a file")


def read_events(paths: Iterable[Path]) -> Iterator[EventInput]:
    """The events of each file in order."""
    for path in paths:
        yield from _file_events(path)


def _file_events(path: Path) -> Iterator[EventInput]:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise EventFileError(f"cannot read event file {path}: {err.strerror or err}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        yield EventInput(str(path), data.decode("utf-8", errors="replace"), f"not UTF-8 text ({err.reason} at byte {err.start})")
        return
    if not text.strip():
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as whole:
        lines = text.splitlines()
        first = next(i for i, line in enumerate(lines) if line.strip())
        if not _is_json(lines[first]):
            yield EventInput(str(path), text, f"neither JSON nor JSON Lines: {whole.msg} at line {whole.lineno} column {whole.colno}")
            return
        yield from _json_lines(path, lines)
        return
    yield from _values(str(path), value)


def _json_lines(path: Path, lines: list[str]) -> Iterator[EventInput]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        origin = f"{path}:{number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            yield EventInput(origin, line, f"line {number} is not JSON: {err.msg} at column {err.colno}")
            continue
        yield from _values(origin, value)


def _values(origin: str, value: Any) -> Iterator[EventInput]:
    """A JSON object is an event; an array holds events; anything else cannot be one."""
    if isinstance(value, list):
        for index, element in enumerate(value):
            yield _one(f"{origin}[{index}]", element)
    else:
        yield _one(origin, value)


def _one(origin: str, value: Any) -> EventInput:
    if isinstance(value, dict):
        return EventInput(origin, value)
    return EventInput(origin, value, f"the event is {_kind(value)}, not a JSON object")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"
