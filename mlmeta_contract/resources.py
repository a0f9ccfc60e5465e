"""The names of the AWS resources mlmeta names itself (stacks, the Athena workgroup, the trail, alarms,
the dashboard, replay's local stand-ins): ``mlmeta-<env>-<part>-...``. One helper, so the stacks, the
doctor and the local harness find the same resource under the same name, and environments sharing an
account never collide.
"""

from __future__ import annotations

PROJECT = "mlmeta"
# The events stack's management-events trail (when it creates one); the doctor looks for it by name.
MANAGEMENT_TRAIL = "management-events"


def resource_name(environment: str, *parts: str) -> str:
    """``mlmeta-<environment>[-<part>...]``; ValueError on an empty environment or part."""
    if not environment or not all(parts):
        raise ValueError(f"resource_name: the environment and every part must be non-empty, got {(environment, *parts)!r}")
    return "-".join((PROJECT, environment, *parts))
