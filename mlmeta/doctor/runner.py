"""Runs the checks of the chosen phase in order and returns one result per check.

The credentials check comes first and gates the rest: without working credentials of the right account
every other check would only repeat its error. Post-deploy checks first look for the environment's
stacks; when none is deployed, each post-deploy check says "not deployed yet": skipped (not a failure)
with ``--phase all``, the usual state before the first deploy, and a failure with ``--phase post``,
which asks about a deployment.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from mlmeta.config import EnvironmentSettings
from mlmeta.doctor.athena import QUERIES_CHECK, WORKGROUP_CHECK, check_named_queries, check_workgroup
from mlmeta.doctor.aws import AwsClients, AwsError, call_failed
from mlmeta.doctor.bootstrap import CHECK as BOOTSTRAP_CHECK
from mlmeta.doctor.bootstrap import check_bootstrap
from mlmeta.doctor.context import DoctorContext
from mlmeta.doctor.deployed_stacks import Deployment, check_stacks, deploy_command, expected_stack_names, find_deployment
from mlmeta.doctor.events_resources import KINDS, check_events_resources
from mlmeta.doctor.identity import check_credentials
from mlmeta.doctor.layers import LAYERS, check_layer
from mlmeta.doctor.mlflow_server import CHECK as MLFLOW_CHECK
from mlmeta.doctor.mlflow_server import check_mlflow_server
from mlmeta.doctor.probe import CHECK as PROBE_CHECK
from mlmeta.doctor.probe import DEFAULT_TIMEOUT_SECONDS, check_probe
from mlmeta.doctor.result import CheckResult, failed, skipped
from mlmeta.doctor.roles import CHECK as ROLES_CHECK
from mlmeta.doctor.roles import check_roles
from mlmeta.doctor.trail import CHECK as TRAIL_CHECK
from mlmeta.doctor.trail import CREATED_CHECK, check_created_trail, check_trail

PHASES = ("pre", "post", "all")
DEPLOYMENT_CHECK = "deployed stacks"


def run_doctor(
    settings: EnvironmentSettings,
    aws: AwsClients,
    *,
    phase: str = "all",
    expected_queries: Sequence[str] | None = None,
    probe_timeout: float = DEFAULT_TIMEOUT_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> list[CheckResult]:
    """``expected_queries``: the named queries the workgroup must hold (default: mlmeta/queries/sql/*.sql of the installed mlmeta)."""
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {', '.join(PHASES)}, not {phase!r}")
    identity = check_credentials(aws, settings)
    if identity.account is None:
        return [replace(identity.result, detail=f"{identity.result.detail} (the other checks need it and were not run)")]
    ctx = DoctorContext(settings, aws, identity.account)
    results = [identity.result]
    if phase in ("pre", "all"):
        results += _pre_deploy(ctx)
    if phase in ("post", "all"):
        queries = _checkout_queries() if expected_queries is None else expected_queries
        results += _post_deploy(ctx, phase, queries, probe_timeout, clock)
    return results


def _pre_deploy(ctx: DoctorContext) -> list[CheckResult]:
    results = _guarded(BOOTSTRAP_CHECK, lambda: check_bootstrap(ctx))
    for layer in LAYERS:
        results += _guarded(f"layer {layer.label}", lambda layer=layer: check_layer(ctx, layer))
    results += _guarded(TRAIL_CHECK, lambda: check_trail(ctx))
    results += _guarded(ROLES_CHECK, lambda: check_roles(ctx))
    return results


def _post_deploy(
    ctx: DoctorContext, phase: str, queries: Sequence[str], probe_timeout: float, clock: Callable[[], float]
) -> list[CheckResult]:
    try:
        deployment = find_deployment(ctx)
    except AwsError as err:
        return [call_failed(DEPLOYMENT_CHECK, err)]
    if not deployment.anything_deployed:
        return [_not_deployed_yet(ctx, check, phase) for check in post_deploy_checks(ctx.settings)]
    results = check_stacks(ctx, deployment)
    results += _guarded("events resources", lambda: check_events_resources(ctx, deployment))
    results += _guarded(WORKGROUP_CHECK, lambda: check_workgroup(ctx))
    results += _guarded(QUERIES_CHECK, lambda: check_named_queries(ctx, queries))
    if ctx.settings.tracking_backend == "mlflow":
        results += _guarded(MLFLOW_CHECK, lambda: check_mlflow_server(ctx, deployment))
    if ctx.settings.create_trail:
        results += _guarded(CREATED_CHECK, lambda: check_created_trail(ctx))
    results += _guarded(PROBE_CHECK, lambda: check_probe(ctx, timeout=probe_timeout, clock=clock))
    return results


def post_deploy_checks(settings: EnvironmentSettings) -> list[str]:
    """The names of the post-deploy checks, in the order they run."""
    names = [f"stack {name}" for name in expected_stack_names(settings)]
    names += [f"events {kind.plural}" for kind in KINDS] + [WORKGROUP_CHECK, QUERIES_CHECK]
    names += [MLFLOW_CHECK] if settings.tracking_backend == "mlflow" else []
    return names + ([CREATED_CHECK] if settings.create_trail else []) + [PROBE_CHECK]


def _not_deployed_yet(ctx: DoctorContext, check: str, phase: str) -> CheckResult:
    where = f"none of the {len(expected_stack_names(ctx.settings))} stacks of {ctx.settings.name} is in {ctx.region}"
    if phase == "post":
        return failed(check, f"not deployed yet: {where}", deploy_command(ctx.settings))
    return skipped(check, f"not deployed yet ({where}); skipped: --phase post fails on this")


def _guarded(check: str, run: Callable[[], CheckResult | list[CheckResult]]) -> list[CheckResult]:
    """The check's results, or one failure naming the AWS call that failed in a way it does not interpret."""
    try:
        outcome = run()
    except AwsError as err:
        return [call_failed(check, err)]
    return outcome if isinstance(outcome, list) else [outcome]


def _checkout_queries() -> list[str]:
    from mlmeta.queries.catalog import load_queries

    return sorted(load_queries())
