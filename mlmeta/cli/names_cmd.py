"""``mlmeta names``: check a name against the naming convention, build one, classify one, or print the
convention in force (the default, ``--convention FILE`` or ``$MLMETA_NAMING_CONVENTION``)."""

from __future__ import annotations

import argparse
import json
import sys

from mlmeta.cli.errors import CliError
from mlmeta_contract.naming import (
    CONVENTION_ENV_VAR,
    KINDS,
    PARTS,
    RESOURCE_TYPES,
    ConventionError,
    NamingConvention,
    NamingError,
    Verdict,
    classify,
    new,
    resolve_convention,
    validate,
)

FORMATS = ("text", "json")


def register(subparsers: argparse._SubParsersAction) -> None:
    names = subparsers.add_parser(
        "names",
        help="check, build or classify names of experiments, trials, components and pipelines",
        description="The naming convention (docs/naming.md). Kinds: " + ", ".join(KINDS) + ".",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--convention", metavar="FILE",
        help=f"naming-convention JSON file (default: the file or JSON in ${CONVENTION_ENV_VAR}, else the built-in one)",
    )
    actions = names.add_subparsers(dest="names_command", required=True, metavar="{check,new,classify,convention}")

    check = actions.add_parser(
        "check", parents=[common], help="exit 0 and print the parts if NAME follows the convention for KIND, else exit 1"
    )
    check.add_argument("kind", metavar="KIND", choices=KINDS, help=", ".join(KINDS))
    check.add_argument("name", metavar="NAME")
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    check.set_defaults(func=check_command)

    build = actions.add_parser("new", parents=[common], help="print the name of KIND built from its parts")
    build.add_argument("kind", metavar="KIND", choices=KINDS, help=", ".join(KINDS))
    build.add_argument("--use-case", required=True, help="the use case, e.g. churn-prediction")
    build.add_argument("--env", help="environment, e.g. prod (pipeline kinds)")
    build.add_argument("--execution-id", help="SageMaker pipeline execution id, 12 lowercase letters or digits")
    build.add_argument("--user", help="your user name, one lowercase word (EDA kinds)")
    build.add_argument("--topic", help="what the EDA trial is about, e.g. feature-selection")
    build.add_argument("--date", metavar="YYYYMMDD", help="date of the EDA trial (default: today, UTC)")
    build.add_argument("--step", help="pipeline step of an analysis component, e.g. evaluation")
    build.add_argument("--run", help="one word naming a run of an EDA trial (an eda-component), e.g. baseline")
    build.set_defaults(func=new_command)

    which = actions.add_parser("classify", parents=[common], help="say which kind NAME is (exit 1 if none)")
    which.add_argument("name", metavar="NAME")
    which.add_argument(
        "--resource-type", choices=tuple(dict.fromkeys(RESOURCE_TYPES.values())), help="only kinds naming this SageMaker resource"
    )
    which.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    which.set_defaults(func=classify_command)

    show = actions.add_parser(
        "convention", parents=[common], help="print the convention in force as JSON (a template for --convention)"
    )
    show.set_defaults(func=convention_command)


def check_command(args: argparse.Namespace) -> int:
    verdict = validate(args.kind, args.name, _convention(args))
    if args.format == "json":
        print(json.dumps(verdict.to_dict(), sort_keys=True))
    elif verdict.compliant:
        print(f"compliant {verdict.kind}: {verdict.name}\n{_parts_table(verdict)}")
    if not verdict.compliant:
        print(
            f"mlmeta names check: {args.name!r} is not a compliant {args.kind} name [{verdict.rule}]: {verdict.reason}",
            file=sys.stderr,
        )
        return 1
    return 0


def new_command(args: argparse.Namespace) -> int:
    convention = _convention(args)
    parts = {part: getattr(args, part) for part in PARTS}
    try:
        print(new(args.kind, convention=convention, **parts))
    except NamingError as err:
        option = f"argument --{err.part.replace('_', '-')}: " if err.part else ""
        raise CliError(f"{option}{err}") from None
    return 0


def classify_command(args: argparse.Namespace) -> int:
    result = classify(args.name, args.resource_type, _convention(args))
    if args.format == "json":
        payload = {
            "name": result.name,
            "kind": result.kind,
            "ambiguous": result.ambiguous,
            "reason": result.reason,
            "candidates": [v.to_dict() for v in result.candidates],
        }
        print(json.dumps(payload, sort_keys=True))
    elif result.kind is not None:
        print(f"{result.kind}: {result.name}\n{_parts_table(result.candidates[0])}")
    else:
        print(result.reason)
    return 0 if result.compliant else 1


def convention_command(args: argparse.Namespace) -> int:
    print(json.dumps(_convention(args).to_dict(), indent=2))
    return 0


def _convention(args: argparse.Namespace) -> NamingConvention:
    try:
        return resolve_convention(args.convention)
    except ConventionError as err:
        raise CliError(str(err)) from None


def _parts_table(verdict: Verdict) -> str:
    width = max(map(len, verdict.parts), default=0)
    return "\n".join(f"  {part:<{width}}  {value}" for part, value in verdict.parts.items())
