"""The small demo the tests share: 30 daily executions, the default seed."""

from __future__ import annotations

from mlmeta.demo.settings import DemoSettings

SMALL = DemoSettings(executions=30)
