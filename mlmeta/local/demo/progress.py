"""The demo's progress on stderr: one line per phase, and on a terminal a bar redrawn in place while
the events replay. Not a terminal (a pipe, CI, a test): the phase lines only."""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 30
REDRAW_SECONDS = 0.1  # at most ten redraws a second: drawing must not cost more than replaying


class Progress:
    def __init__(self, stream: TextIO | None = None, *, phases: int) -> None:
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty()
        self.phases = phases
        self._phase = 0
        self._total = 0
        self._done = 0
        self._label = ""
        self._drawn_at = 0.0

    def phase(self, text: str) -> None:
        self._phase += 1
        self._write(f"[{self._phase}/{self.phases}] {text}\n")

    def start(self, total: int, label: str) -> None:
        self._total, self._done, self._label = max(total, 1), 0, label
        self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        self._done += count
        self._draw(force=self._done >= self._total)

    def finish(self) -> None:
        if self.interactive:
            self._draw(force=True)
            self._write("\n")

    def _draw(self, *, force: bool) -> None:
        now = time.monotonic()
        if not self.interactive or (not force and now - self._drawn_at < REDRAW_SECONDS):
            return
        self._drawn_at = now
        filled = BAR_WIDTH * self._done // self._total
        percent = 100 * self._done // self._total
        self._write(f"\r      [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {percent:3d}% {self._done}/{self._total} {self._label}")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
