"""The small demo the tests share: the fewest daily executions the demo takes (38), the default seed."""

from __future__ import annotations

from mlmeta.local.demo.settings import MIN_EXECUTIONS, DemoSettings

SMALL = DemoSettings(executions=MIN_EXECUTIONS)
