"""``mlmeta doctor --env NAME [--phase pre|post|all] [--format text|json]``: preflight checks of one
environment with real AWS credentials, before the first ``cdk deploy`` and after it (docs/deploying.md).
One line per check; exit 1 if any check failed."""

from __future__ import annotations

import argparse
import json

from mlmeta.cli.errors import CliError
from mlmeta.cli.seconds import seconds_argument
from mlmeta.config import ENVIRONMENTS, UnknownEnvironmentError, get_environment
from mlmeta.config.settings import SettingsError

FORMATS = ("text", "json")
PHASES = ("pre", "post", "all")
DEFAULT_PROBE_TIMEOUT_SECONDS = 30.0
MAX_PROBE_TIMEOUT_SECONDS = 900.0


def register(subparsers: argparse._SubParsersAction) -> None:
    doctor = subparsers.add_parser(
        "doctor",
        help="check an environment's AWS account before and after deploying it (needs AWS credentials)",
        description="Preflight checks of one environment (docs/deploying.md). Exit 0: nothing failed; 1: a check failed.",
    )
    doctor.add_argument("--env", required=True, metavar="NAME", help=f"environment to check ({', '.join(ENVIRONMENTS)})")
    doctor.add_argument(
        "--phase",
        choices=PHASES,
        default="all",
        help="pre: before the first deploy; post: the deployment; all (default): both, post-deploy checks skipped while nothing is deployed",
    )
    doctor.add_argument("--format", choices=FORMATS, default="text", help="text (one line per check, default) or json (a list)")
    doctor.add_argument("--profile", help="AWS profile to use (default: the default credential chain)")
    doctor.add_argument(
        "--probe-timeout",
        type=seconds_argument(at_most=MAX_PROBE_TIMEOUT_SECONDS),
        default=DEFAULT_PROBE_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help=f"how long to wait for the probe event (default {DEFAULT_PROBE_TIMEOUT_SECONDS:g})",
    )
    doctor.set_defaults(func=run_doctor_command)


def make_clients(region: str, profile: str | None):
    """This module's name, looked up at run time: the tests replace it with moto- and Stubber-backed clients."""
    from mlmeta.doctor.aws import make_clients as boto3_clients

    return boto3_clients(region, profile)


def run_doctor_command(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError

    from mlmeta.doctor.runner import run_doctor
    from mlmeta.queries.catalog import QueryError

    try:
        settings = get_environment(args.env)
        settings.check_trail()
    except (UnknownEnvironmentError, SettingsError) as err:
        raise CliError(str(err)) from None
    try:
        aws = make_clients(settings.region, args.profile)
        results = run_doctor(settings, aws, phase=args.phase, probe_timeout=args.probe_timeout)
    except BotoCoreError as err:
        # e.g. a --profile that is not configured
        raise CliError(str(err)) from None
    except QueryError as err:
        raise CliError(f"cannot read mlmeta/queries/sql/*.sql: {err}") from None
    if args.format == "json":
        print(json.dumps([result.to_dict() for result in results], indent=2, ensure_ascii=False))
    else:
        for result in results:
            print(result.line())
        print(_summary(settings.name, settings.region, args.phase, results))
    return 1 if any(not result.ok for result in results) else 0


def _summary(env: str, region: str, phase: str, results) -> str:
    failures = sum(not r.ok for r in results)
    warnings = sum(r.ok and r.warning for r in results)
    skips = sum(r.ok and r.skipped for r in results)
    counts = f"{len(results) - failures - warnings - skips} passed, {failures} failed, {warnings} warning{'' if warnings == 1 else 's'}, {skips} skipped"
    return f"mlmeta doctor --env {env} ({region}, phase {phase}): {counts}"
