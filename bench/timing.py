"""Small timing helpers: wall-clock milliseconds, percentiles, the median of repeats."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager


def elapsed_ms(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def median_ms(work: Callable[[], object], repeats: int) -> float:
    return statistics.median(elapsed_ms(work) for _ in range(repeats))


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (p99 of 200 samples is the 198th smallest)."""
    if not samples:
        raise ValueError("percentile of no samples")
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@contextmanager
def quiet_heap() -> Iterator[None]:
    """Move everything allocated so far (moto's account state, a large heap no Lambda has) out of the
    garbage collector's reach while measuring, so its full collections do not land in the timings."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
