"""The small demo the tests share: the fewest daily executions the demo takes (38), the default seed; on
either tracking backend; and `tree`, a directory as bytes to compare."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from mlmeta.local.demo.settings import MIN_EXECUTIONS, DemoSettings

SMALL = DemoSettings(executions=MIN_EXECUTIONS)
SMALL_ON_MLFLOW = replace(SMALL, tracking_backend="mlflow")


def tree(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` and its bytes."""
    return {path.relative_to(directory).as_posix(): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()}
