"""Metric series for the drift-defaults benchmark: stable ones (every DRIFT flag is a false alarm) and
the same with a planted drop (the first DRIFT flag from the drop on is the detection).

The series look like the demo's evaluation metrics: 180 daily runs, a score near 0.88 that varies by
about 0.006 between retrains (mlmeta/local/demo/history.py), and the drop, when there is one, from run 151 on,
where the demo plants its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

RUNS = 180
ONSET = 150  # 0-based: the drop starts at run 151 of 180, as in the demo
LEVEL, NOISE = 0.88, 0.006
NARROW_LEVEL, NARROW_NOISE, HOLD_OUT_STEP = 0.82, 0.0015, 0.001
BROKEN_RUN_VALUE = 0.5  # a run that scored at chance (a broken evaluation), BROKEN_RUN_LEAD runs before the drop
BROKEN_RUN_LEAD = 5


def _gaussian(rng: np.random.Generator, seeds: int) -> np.ndarray:
    return LEVEL + NOISE * rng.standard_normal((seeds, RUNS))


def _cut_at_two_sigma(rng: np.random.Generator, seeds: int) -> np.ndarray:
    return LEVEL + NOISE * np.clip(rng.standard_normal((seeds, RUNS)), -2, 2)


def _narrow_hold_out(rng: np.random.Generator, seeds: int) -> np.ndarray:
    # Scored on a fixed hold-out set: values move by a few steps of 1/1000, many runs tie.
    return NARROW_LEVEL + np.round(NARROW_NOISE * rng.standard_normal((seeds, RUNS)) / HOLD_OUT_STEP) * HOLD_OUT_STEP


def _heavy_tailed(rng: np.random.Generator, seeds: int) -> np.ndarray:
    # Student's t with 3 degrees of freedom, scaled to the same standard deviation.
    return LEVEL + NOISE * rng.standard_t(3, (seeds, RUNS)) / np.sqrt(3)


@dataclass(frozen=True)
class Family:
    name: str
    describe: str
    draw: Callable[[np.random.Generator, int], np.ndarray]
    # Counted in the false-alarm budget the defaults must meet; heavy tails are reported only (see docs).
    in_budget: bool = True


FAMILIES = (
    Family("gaussian", f"{LEVEL} + normal noise (sd {NOISE})", _gaussian),
    Family("demo-like", f"the same noise cut at 2 sd, as the demo's (mlmeta/local/demo/history.py)", _cut_at_two_sigma),
    Family("narrow hold-out", f"{NARROW_LEVEL} + noise sd {NARROW_NOISE} in steps of {HOLD_OUT_STEP}: a score on a fixed hold-out set",
           _narrow_hold_out),
    Family("heavy-tailed", "Student's t (3 degrees of freedom), same sd", _heavy_tailed, in_budget=False),
)
FAMILY = {family.name: family for family in FAMILIES}


@dataclass(frozen=True)
class Drop:
    name: str
    family: str
    size: float
    broken_run: bool = False

    def draw(self, rng: np.random.Generator, seeds: int) -> np.ndarray:
        series = FAMILY[self.family].draw(rng, seeds)
        series[:, ONSET:] -= self.size
        if self.broken_run:
            series[:, ONSET - BROKEN_RUN_LEAD] = BROKEN_RUN_VALUE
        return series


DROPS = (
    Drop("1-point drop", "gaussian", 0.01),
    Drop("2-point drop", "gaussian", 0.02),
    Drop("5-point drop", "gaussian", 0.05),
    Drop(f"5-point drop, {BROKEN_RUN_LEAD} runs after a broken run", "gaussian", 0.05, broken_run=True),
    Drop("1-point drop, narrow hold-out", "narrow hold-out", 0.01),
    Drop("2-point drop, heavy-tailed", "heavy-tailed", 0.02),
)
