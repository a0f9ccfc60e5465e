"""The trail that makes CloudTrail's "AWS API Call via CloudTrail" events reach EventBridge (docs/events.md).

Pre-deploy, ``existing_trail``: cloudtrail DescribeTrails (shadow and organisation trails included) finds
it by name or ARN, GetTrailStatus says it is logging, GetEventSelectors shows write management events.
Pre-deploy, ``create_trail``: passes with a note, and warns when another trail already logs those
events here (each copy of a management event is billed). Post-deploy, ``create_trail``: the events
stack's trail exists and logs them.

A multi-region trail answers GetTrailStatus and GetEventSelectors in its home region, so they are asked
there, by ARN (a shadow or organisation trail is known by its ARN only). A member account may not read
the event selectors of its organisation's trail: that is reported as a warning, not a pass or a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from mlmeta.config import EnvironmentSettings
from mlmeta.doctor.aws import error_code
from mlmeta.doctor.context import DoctorContext
from mlmeta.doctor.result import CheckResult, failed, passed, warned
from mlmeta.doctor.trail_selectors import logs_write_management_events
from mlmeta_contract.resources import MANAGEMENT_TRAIL, resource_name

CHECK = "trail"
CREATED_CHECK = "created trail"
CONFIG_FILE = "mlmeta/config/environments.py"
WRITE_SELECTORS = "write management events (ReadWriteType All or WriteOnly)"


def created_trail_name(settings: EnvironmentSettings) -> str:
    """The events stack's trail with ``create_trail`` (stacks/events/trail.py names it the same way)."""
    return resource_name(settings.name, MANAGEMENT_TRAIL)


@dataclass(frozen=True)
class TrailState:
    # Why the trail does not deliver write management events; None if it does (or cannot be told).
    problem: str | None = None
    # What this account cannot verify about a trail that is logging.
    caveat: str | None = None


def check_trail(ctx: DoctorContext) -> CheckResult:
    trails = visible_trails(ctx)
    if ctx.settings.existing_trail:
        return _check_existing(ctx, trails, ctx.settings.existing_trail)
    return _check_to_be_created(ctx, trails)


def check_created_trail(ctx: DoctorContext) -> CheckResult:
    name = created_trail_name(ctx.settings)
    trail = next((t for t in visible_trails(ctx) if t["Name"] == name and t.get("HomeRegion") == ctx.region), None)
    deploy = f"node_modules/.bin/cdk deploy {ctx.settings.stack_name('events')} -c env={ctx.settings.name}"
    if trail is None:
        return failed(CREATED_CHECK, f"no trail {name} in {ctx.region}: the events stack creates it", deploy)
    problem = inspect_trail(ctx, trail).problem
    if problem:
        return failed(CREATED_CHECK, f"{name} {problem}", f"aws cloudtrail start-logging --name {trail['TrailARN']}, or {deploy}")
    return passed(CREATED_CHECK, f"{name} is logging write management events")


def visible_trails(ctx: DoctorContext) -> list[dict[str, Any]]:
    """Every trail that applies to this region: this region's, other regions' multi-region trails (shadow
    trails) and the organisation's trail seen from a member account."""
    return ctx.aws("cloudtrail").describe_trails(includeShadowTrails=True)["trailList"]


def inspect_trail(ctx: DoctorContext, trail: dict[str, Any]) -> TrailState:
    arn = trail["TrailARN"]
    cloudtrail = ctx.aws("cloudtrail", region=trail.get("HomeRegion") or ctx.region)
    if not cloudtrail.get_trail_status(Name=arn)["IsLogging"]:
        return TrailState(problem="is not logging")
    try:
        selectors = cloudtrail.get_event_selectors(TrailName=arn)
    except ClientError as err:
        owner = _owner(arn)
        if owner == ctx.account:
            raise
        return TrailState(caveat=f"its event selectors can be read only in its account {owner} ({error_code(err)})")
    if not logs_write_management_events(selectors):
        return TrailState(problem="does not select write management events")
    return TrailState()


def _check_existing(ctx: DoctorContext, trails: list[dict[str, Any]], wanted: str) -> CheckResult:
    trail = _find(trails, wanted, ctx.region)
    if trail is None:
        seen = ", ".join(t["TrailARN"] for t in trails) or "none"
        return failed(
            CHECK,
            f"existing_trail {wanted!r} is not a trail that applies to {ctx.region} (trails seen: {seen})",
            f"set existing_trail in {CONFIG_FILE} to one of them (an organisation trail by its ARN), or set create_trail=True",
        )
    kind = "organisation trail" if trail.get("IsOrganizationTrail") else "trail"
    state = inspect_trail(ctx, trail)
    if state.problem:
        return failed(
            CHECK,
            f"existing_trail {trail['TrailARN']} {state.problem}",
            f"ask its owner to start logging and to select {WRITE_SELECTORS}, or set create_trail=True in {CONFIG_FILE}",
        )
    if state.caveat:
        return warned(
            CHECK,
            f"existing_trail: {kind} {trail['TrailARN']} is logging; {state.caveat}",
            f"confirm in account {_owner(trail['TrailARN'])} that it selects {WRITE_SELECTORS}",
        )
    return passed(CHECK, f"existing_trail: {kind} {trail['TrailARN']} is logging write management events")


def _check_to_be_created(ctx: DoctorContext, trails: list[dict[str, Any]]) -> CheckResult:
    name = created_trail_name(ctx.settings)
    note = f"create_trail: the events stack creates {name} (write management events of {ctx.region})"
    others = [(t, _state_quietly(ctx, t)) for t in trails if t["Name"] != name]
    logging = [t["TrailARN"] for t, state in others if state and not state.problem and not state.caveat]
    maybe = [t["TrailARN"] for t, state in others if state and not state.problem and state.caveat]
    if not logging and not maybe:
        return passed(CHECK, note)
    found = f"{', '.join(logging)} already logs them here" if logging else (
        f"{', '.join(maybe)} is logging and may already log them here (its selectors are not readable from this account)"
    )
    return warned(
        CHECK,
        f"{note}, but {found}: every management event would be billed twice",
        f"set existing_trail='{(logging or maybe)[0]}' and create_trail=False in {CONFIG_FILE}",
    )


def _find(trails: list[dict[str, Any]], wanted: str, region: str) -> dict[str, Any] | None:
    by_arn = [t for t in trails if t["TrailARN"] == wanted]
    by_name = sorted((t for t in trails if t["Name"] == wanted), key=lambda t: t.get("HomeRegion") != region)
    return (by_arn or by_name or [None])[0]


def _state_quietly(ctx: DoctorContext, trail: dict[str, Any]) -> TrailState | None:
    # Only a warning rides on this: a trail the caller may not inspect at all is not counted, rather
    # than failing the check.
    try:
        return inspect_trail(ctx, trail)
    except ClientError:
        return None


def _owner(trail_arn: str) -> str:
    return trail_arn.split(":")[4]
