"""Progress on stderr: a bar (or a wait) redrawn in place on a terminal, one line per phase elsewhere."""

from __future__ import annotations

import io

from mlmeta.local.demo.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_is_redrawn_in_place_and_ends_full():
    stream = Terminal()
    progress = Progress(stream, phases=2)
    progress.phase("replaying")
    progress.start(4, "events")
    for _ in range(4):
        progress.advance()
    progress.finish()
    progress.phase("done")

    text = stream.getvalue()
    assert text.startswith("[1/2] replaying\n\r")
    assert "100% 4/4 events\n[2/2] done\n" in text
    assert text.count("\r") >= 2


def test_off_a_terminal_only_the_phases_are_written():
    stream = io.StringIO()
    progress = Progress(stream, phases=1)
    progress.phase("replaying")
    progress.start(1000, "events")
    progress.advance(1000)
    progress.finish()

    assert stream.getvalue() == "[1/1] replaying\n"


def test_on_a_terminal_a_wait_is_redrawn_in_place_and_the_next_phase_starts_a_new_line():
    stream = Terminal()
    progress = Progress(stream, phases=2)
    progress.phase("starting the server")
    progress.waiting("waiting for it", 1.2)
    progress.phase("replaying")

    assert stream.getvalue() == "[1/2] starting the server\n\r      waiting for it: 1 s\n[2/2] replaying\n"


def test_off_a_terminal_a_wait_is_a_line_every_fifteen_seconds():
    stream = io.StringIO()
    progress = Progress(stream, phases=1)
    progress.phase("starting the server")
    for seconds in (0.2, 5.0, 14.9, 15.1, 29.0, 31.0, 47.0):
        progress.waiting("waiting for it", seconds)

    assert stream.getvalue().splitlines() == ["[1/1] starting the server", "      waiting for it: 15 s", "      waiting for it: 30 s",
                                              "      waiting for it: 45 s"]
