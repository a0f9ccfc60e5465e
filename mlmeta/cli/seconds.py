"""The argument type of the commands' durations (``--timeout``, ``--probe-timeout``): a number of seconds."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable


def seconds_argument(at_most: float | None = None) -> Callable[[str], float]:
    """An argparse ``type``: a number of seconds above 0, at most ``at_most`` (None: any finite one);
    anything else is the usage error that says what is accepted."""
    limit = sys.float_info.max if at_most is None else at_most
    accepted = "a positive number of seconds" if at_most is None else f"a number of seconds above 0 and at most {at_most:g}"

    def seconds(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = 0.0
        # Written so that NaN fails too; infinity is above every limit.
        if not 0 < value <= limit:
            raise argparse.ArgumentTypeError(f"must be {accepted}, got {text!r}")
        return value

    return seconds
