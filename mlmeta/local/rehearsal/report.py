"""What ``mlmeta rehearse`` prints: per stack, deployed N of M resources and what was skipped and why; the
custom resources and how they were answered; what was resolved at deploy; the wiring checks; and the
outcome of each event replayed against the deployment. As text, or as one JSON document."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from typing import Any

from mlmeta.local.replay import Outcome
from mlmeta.local.rehearsal.rehearse import RehearsedEnvironment
from mlmeta.local.rehearsal.template_fit import UNSUPPORTED, Skipped


def skipped_types(skipped: Sequence[Skipped]) -> Counter[str]:
    """Resource type -> how many of that type were skipped."""
    return Counter(s.resource_type for s in skipped)


def to_dict(rehearsal: RehearsedEnvironment, outcomes: Sequence[Outcome] = ()) -> dict[str, Any]:
    deployed = rehearsal.deployed
    return {
        "environment": rehearsal.settings.name,
        "moto_version": deployed.moto_version,
        "bootstrap_version": deployed.bootstrap_version,
        "public_parameters": dict(deployed.public_parameters),
        "stacks": [
            {
                "name": stack.name,
                "status": stack.status,
                "resources": stack.resources,
                "deployed": len(stack.deployed),
                "skipped": [dataclasses.asdict(s) for s in stack.skipped],
                "skipped_types": dict(sorted(skipped_types(stack.skipped).items())),
                "dropped_outputs": list(stack.dropped_outputs),
                "custom_resources": [dataclasses.asdict(a) for a in stack.custom_resources],
                "outputs": dict(stack.outputs),
                "reason": stack.reason,
            }
            for stack in deployed.stacks
        ],
        "wiring": [{"subject": c.subject, "expected": c.expected, "actual": c.actual, "ok": c.ok} for c in rehearsal.wiring],
        "problem": rehearsal.problem,
        "events": [outcome.to_dict() for outcome in outcomes],
    }


def render_text(rehearsal: RehearsedEnvironment, outcomes: Sequence[Outcome] = ()) -> str:
    deployed = rehearsal.deployed
    lines = [f"== deploy rehearsal of {rehearsal.settings.name} into an embedded AWS (moto {deployed.moto_version}'s "
             f"CloudFormation; cdk bootstrap version {deployed.bootstrap_version})"]
    rows = [(s.name, s.status, f"{len(s.deployed)} of {s.resources}", str(len(s.skipped))) for s in deployed.stacks]
    total_deployed = sum(len(s.deployed) for s in deployed.stacks)
    total = sum(s.resources for s in deployed.stacks)
    rows.append(("total", "", f"{total_deployed} of {total}", str(sum(len(s.skipped) for s in deployed.stacks))))
    lines += _table(("stack", "status", "deployed", "skipped"), rows)
    lines += [f"{s.name}: {s.reason}" for s in deployed.stacks if s.reason]
    lines.append("")
    lines.append("== skipped: what moto's CloudFormation cannot create, and what refers to it")
    for stack in deployed.stacks:
        if not stack.skipped and not stack.dropped_outputs:
            continue
        lines.append(stack.name)
        unsupported = skipped_types([s for s in stack.skipped if s.cause == UNSUPPORTED])
        reasons = {s.resource_type: s.reason for s in stack.skipped if s.cause == UNSUPPORTED}
        lines += [f"  {resource_type} x{count}: {reasons[resource_type]}" for resource_type, count in sorted(unsupported.items())]
        lines += [f"  {s.resource_type} {s.logical_id}: {s.reason}" for s in stack.skipped if s.cause != UNSUPPORTED]
        if stack.dropped_outputs:
            lines.append(f"  outputs left out: {', '.join(stack.dropped_outputs)}")
    answers = [a for s in deployed.stacks for a in s.custom_resources]
    if answers:
        lines += ["", "== custom resources, answered by their provider's handler run in this process"]
        lines += [f"{a.logical_id} ({a.resource_type}): {a.status} {a.physical_id or a.reason} (handler function {a.handler_function})"
                  for a in answers]
    if deployed.public_parameters:
        lines += ["", "== AWS's public SSM parameters the templates resolve, seeded with stand-ins"]
        lines += [f"{name} = {value}" for name, value in sorted(deployed.public_parameters.items())]
    lines += ["", "== wiring: each deployed handler's variables against the stacks' outputs"]
    if rehearsal.problem:
        lines.append(f"not checked: {rehearsal.problem}")
    else:
        held = sum(c.ok for c in rehearsal.wiring)
        lines.append(f"{held} of {len(rehearsal.wiring)} checks hold")
        lines += [f"  WRONG {c.subject}: {c.actual!r}, expected {c.expected!r}" for c in rehearsal.wiring if not c.ok]
    if outcomes:
        lines += ["", "== events replayed through the deployed rules to the handlers, with their deployed environment"]
        lines += [_outcome_line(outcome) for outcome in outcomes]
    return "\n".join(lines) + "\n"


def _outcome_line(outcome: Outcome) -> str:
    results = ", ".join(f"{handler}: {result}" for handler, result in outcome.results.items())
    line = f"{outcome.origin}: {outcome.outcome}"
    if outcome.routes:
        line += f" via {', '.join(outcome.routes)}"
    if results:
        line += f" ({results})"
    if outcome.reason:
        line += f": {outcome.reason}"
    return line


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()

    return [line(header), line(["-" * width for width in widths]), *(line(row) for row in rows)]
