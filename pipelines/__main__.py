"""Run one pipeline step: ``python -m pipelines churn_prediction.evaluate --use-case ...``.

In a SageMaker processing job the step bundle (a zip with this file at its root) runs as
``python3 <bundle>.zip churn_prediction.evaluate --use-case ...``: the first argument names the step's
module under ``pipelines``, the rest are that step's arguments.
"""

from __future__ import annotations

import importlib
import re
import sys
from typing import List, Optional

STEP_RE = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or not STEP_RE.fullmatch(args[0]):
        print("usage: python -m pipelines <use_case_package>.<step> [step arguments]", file=sys.stderr)
        return 2
    step = importlib.import_module(f"pipelines.{args[0]}")
    return step.main(args[1:])


if __name__ == "__main__":
    sys.exit(main())
