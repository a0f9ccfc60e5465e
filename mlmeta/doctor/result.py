"""One check's outcome: a line for people, a JSON object for scripts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PASSED, FAILED, WARNED, SKIPPED = "✓", "✗", "!", "-"


@dataclass(frozen=True)
class CheckResult:
    """``ok`` False is a ✗ (the command exits 1). A warning is ok but says what to reconsider in ``fix``;
    a skipped check is ok: a post-deploy check under ``--phase all`` before anything is deployed."""

    check: str
    ok: bool
    detail: str
    fix: str | None = None
    warning: bool = False
    skipped: bool = False

    @property
    def symbol(self) -> str:
        if not self.ok:
            return FAILED
        return WARNED if self.warning else SKIPPED if self.skipped else PASSED

    def line(self) -> str:
        text = f"{self.symbol} {self.check}: {self.detail}"
        return f"{text}; fix: {self.fix}" if self.fix else text

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "ok": self.ok, "detail": self.detail, "fix": self.fix}


def passed(check: str, detail: str) -> CheckResult:
    return CheckResult(check, True, detail)


def failed(check: str, detail: str, fix: str) -> CheckResult:
    return CheckResult(check, False, detail, fix)


def warned(check: str, detail: str, fix: str) -> CheckResult:
    return CheckResult(check, True, detail, fix, warning=True)


def skipped(check: str, detail: str, fix: str | None = None) -> CheckResult:
    return CheckResult(check, True, detail, fix, skipped=True)
