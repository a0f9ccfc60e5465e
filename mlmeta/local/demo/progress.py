"""The demo's progress on stderr: one line per phase, and on a terminal a bar redrawn in place while
the events replay. Not a terminal (a pipe, CI, a test): the phase lines only, and during a long wait
(the local MLflow server starting) a line every WAIT_LINE_SECONDS."""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 30
REDRAW_SECONDS = 0.1  # at most ten redraws a second: drawing must not cost more than replaying
# Off a terminal, a wait shows it is not stuck this often (a log shows a line, not a redrawn counter).
WAIT_LINE_SECONDS = 15


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
        self._wait_lines = 0
        self._line_open = False  # a wait redrawn in place, on a terminal: ended before the next line

    def phase(self, text: str) -> None:
        self._end_open_line()
        self._phase += 1
        self._wait_lines = 0
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

    def waiting(self, label: str, seconds: float) -> None:
        """A wait of unknown length, ``seconds`` into it: redrawn in place on a terminal, elsewhere a line
        every WAIT_LINE_SECONDS."""
        if self.interactive:
            now = time.monotonic()
            if now - self._drawn_at >= REDRAW_SECONDS:
                self._drawn_at = now
                self._write(f"\r      {label}: {seconds:.0f} s")
                self._line_open = True
            return
        lines = int(seconds // WAIT_LINE_SECONDS)
        if lines > self._wait_lines:
            self._wait_lines = lines
            self._write(f"      {label}: {lines * WAIT_LINE_SECONDS} s\n")

    def _end_open_line(self) -> None:
        if self._line_open:
            self._write("\n")
            self._line_open = False

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
