"""``mlmeta rehearse [EVENT_FILE...] --env NAME``: a deploy rehearsal. The environment's synthesized
templates (``--assembly cdk.out/<env>`` from ``make synth``, or synthesized here) are deployed into an
embedded moto server through CloudFormation's API, then the events given are replayed through the
deployed rules to the handlers, run in-process with their deployed functions' environment
(docs/deploying.md, "Deploy rehearsal").

stdout: the report (``--format text``, default, or one JSON document). stderr: progress, CDK's and the
handlers' log lines. Exit code: 0 when every stack deployed what moto can create, the wiring holds and
no replayed event failed; 1 otherwise; 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from mlmeta.cli.errors import CliError
from mlmeta.cli.extras import require_local_harness, require_synth
from mlmeta.config import DEFAULT_ENVIRONMENT, UnknownEnvironmentError, get_environment

EXIT_NOT_OK = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    rehearse = subparsers.add_parser(
        "rehearse",
        help="deploy an environment's templates into an embedded AWS through CloudFormation, then replay events against it",
        description="Deploy the environment's stacks into an embedded moto server with CloudFormation's API (what moto's "
        "CloudFormation cannot create is skipped and listed), then replay the events given through the deployed rules "
        "to the handlers, run in-process with their deployed functions' environment.",
    )
    rehearse.add_argument("files", nargs="*", type=Path, metavar="EVENT_FILE", help="file of events to replay against the deployment")
    rehearse.add_argument("--env", default=DEFAULT_ENVIRONMENT, help=f"environment to rehearse (default {DEFAULT_ENVIRONMENT})")
    rehearse.add_argument("--assembly", type=Path, metavar="DIR",
                          help="the environment's cloud assembly (make synth writes cdk.out/<env>); default: synthesize it here")
    rehearse.add_argument("--format", choices=("text", "json"), default="text", help="report format (default text)")
    rehearse.set_defaults(func=rehearse_command)


def rehearse_command(args: argparse.Namespace) -> int:
    require_local_harness()
    if args.assembly is None:
        require_synth()
    # Imported here: moto, boto3 and the CDK would slow every other mlmeta command's start.
    from mlmeta.local.event_files import EventFileError, check_readable, read_events
    from mlmeta.local.handler_loader import HandlerCodeError
    from mlmeta.local.emulator import LocalAwsError
    from mlmeta.local.replay import FAILED
    from mlmeta.local.rehearsal.assembly import AssemblyError
    from mlmeta.local.rehearsal.bootstrap import BootstrapError
    from mlmeta.local.rehearsal.custom_resources import CustomResourceError
    from mlmeta.local.rehearsal.deployed import DeploymentError
    from mlmeta.local.rehearsal.rehearse import rehearsed
    from mlmeta.local.rehearsal.report import render_text, to_dict
    from mlmeta.local.rehearsal.synth import SynthError, synthesize
    from mlmeta.local.rehearsal.template_rules import RuleError

    try:
        settings = get_environment(args.env)
        check_readable(args.files)
        with tempfile.TemporaryDirectory(prefix="mlmeta-rehearse-") as scratch:
            assembly = args.assembly
            if assembly is None:
                print(f"mlmeta rehearse: synthesizing {settings.name} (cdk-nag included)", file=sys.stderr, flush=True)
                assembly = synthesize(settings, Path(scratch) / "cdk.out")
            with rehearsed(settings, assembly, sys.stderr) as rehearsal:
                outcomes = []
                if args.files and rehearsal.deployment is not None:
                    replayer = rehearsal.replayer(sys.stderr)
                    outcomes = [replayer.replay(item) for item in read_events(args.files)]
                report = json.dumps(to_dict(rehearsal, outcomes), indent=2) + "\n" if args.format == "json" else render_text(rehearsal, outcomes)
                ok = rehearsal.ok and not any(outcome.outcome == FAILED for outcome in outcomes)
    except (UnknownEnvironmentError, EventFileError, AssemblyError, SynthError, BootstrapError, LocalAwsError, HandlerCodeError,
            DeploymentError, CustomResourceError, RuleError) as err:
        raise CliError(str(err)) from None
    sys.stdout.write(report)
    return 0 if ok else EXIT_NOT_OK
