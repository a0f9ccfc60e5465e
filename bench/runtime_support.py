"""The handler test support of tests/runtime, importable from the benchmarks.

The benchmarks run the handlers exactly as the runtime tests do (same environment, same moto account,
same fixtures, same moto-gap hooks), so they import that support rather than keep a second copy:
``lambdas/`` holds the handler packages as they sit at a Lambda asset's root, and ``tests/runtime/``
the support modules (pytest puts both on sys.path; ``python -m bench`` does it here).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
LAMBDAS = REPOSITORY / "lambdas"
RUNTIME_TESTS = REPOSITORY / "tests" / "runtime"

for _path in (LAMBDAS, RUNTIME_TESTS):
    if str(_path) not in sys.path:
        sys.path.append(str(_path))

import moto_gaps  # noqa: E402  (needs the paths above)
import runtime_shapes  # noqa: E402
import runtime_world  # noqa: E402

__all__ = ["LAMBDAS", "REPOSITORY", "moto_gaps", "runtime_shapes", "runtime_world"]
