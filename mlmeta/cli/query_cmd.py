"""``mlmeta query NAME`` runs a named query from ``mlmeta/queries/sql/`` on Athena or on a local lake (DuckDB);
``mlmeta queries`` lists the named queries with their parameters, ``mlmeta queries NAME`` prints one."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from mlmeta.cli.engine_options import reject_athena_only_options
from mlmeta.cli.errors import CliError
from mlmeta.cli.seconds import seconds_argument
from mlmeta.config import DEFAULT_ENVIRONMENT
from mlmeta.queries.catalog import NamedQuery, QueryError, get_query, load_queries
from mlmeta.queries.result import FORMATS
from mlmeta.queries.runner import DEFAULT_TIMEOUT_SECONDS, AthenaTarget, make_athena_client, run_named

_ATHENA_ONLY_OPTIONS = ("env", "workgroup", "database", "region", "timeout")
_LISTING_FORMATS = ("text", "json")


def register(subparsers: argparse._SubParsersAction) -> None:
    query = subparsers.add_parser(
        "query",
        help="run a named query on Athena or on a local lake",
        description="Run a named query from mlmeta/queries/sql/*.sql. Parameters are positional: give one --param per '?' "
        "in the order `mlmeta queries` lists them.",
    )
    query.add_argument("name", metavar="NAME", help="query name (see `mlmeta queries`)")
    query.add_argument(
        "--param", dest="params", action="append", default=[], metavar="VALUE", help="next query parameter (repeat, in order)"
    )
    engine = query.add_mutually_exclusive_group(required=True)
    engine.add_argument("--lake", type=Path, metavar="DIR", help="run on DuckDB over a local directory laid out like the lake bucket")
    engine.add_argument("--athena", action="store_true", help="run on Amazon Athena (needs AWS credentials)")
    athena = query.add_argument_group("Athena options (only with --athena)")
    athena.add_argument("--env", help=f"environment whose workgroup, database and region to use (default {DEFAULT_ENVIRONMENT})")
    athena.add_argument("--workgroup", help="Athena workgroup (default: the environment's, e.g. mlmeta-dev)")
    athena.add_argument("--database", help="Glue database (default: the environment's, e.g. mlmeta_dev)")
    athena.add_argument("--region", help="AWS region (default: the environment's)")
    athena.add_argument(
        "--timeout", type=seconds_argument(), metavar="SECONDS",
        help=f"stop the query if it has not finished after this long (default {DEFAULT_TIMEOUT_SECONDS:g})",
    )
    query.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")
    query.set_defaults(func=run_query_command)

    listing = subparsers.add_parser(
        "queries",
        help="list the named queries and their parameters",
        description="List the named queries of mlmeta/queries/sql/*.sql (or $MLMETA_QUERIES_DIR): each one's description, "
        "its parameters in --param order and a usage line. With NAME, print that query's SQL file instead.",
    )
    listing.add_argument("name", metavar="NAME", nargs="?", help="print this query's text (the SQL file, header included)")
    listing.add_argument(
        "--format", choices=_LISTING_FORMATS, default="text",
        help="text (default) or json: one JSON object per query (with NAME: that query's, its SQL included)",
    )
    listing.set_defaults(func=list_queries_command)


def run_query_command(args: argparse.Namespace) -> int:
    reject_athena_only_options(args, _ATHENA_ONLY_OPTIONS)
    athena = None
    if args.athena:
        athena = AthenaTarget(
            env=args.env, workgroup=args.workgroup, database=args.database, region=args.region,
            timeout=args.timeout or DEFAULT_TIMEOUT_SECONDS,
            # This module's name, looked up now: tests replace query_cmd.make_athena_client with a stubbed client.
            client_factory=make_athena_client,
        )
    try:
        query = get_query(args.name)
        values = query.bind(args.params)
        result = run_named(query, values, lake=args.lake, athena=athena)
    except QueryError as err:
        raise CliError(str(err)) from None
    rendered = result.render(args.format)
    if rendered:  # JSON Lines of zero rows is empty output, not a blank line
        print(rendered)
    return 0


def list_queries_command(args: argparse.Namespace) -> int:
    try:
        queries = [get_query(args.name)] if args.name else list(load_queries().values())
    except QueryError as err:
        raise CliError(str(err)) from None
    if args.format == "json":
        for query in queries:  # JSON Lines, as `mlmeta query --format json`: nothing for no queries
            print(json.dumps(query_as_dict(query, with_sql=args.name is not None), ensure_ascii=False))
    elif args.name:
        print(queries[0].sql, end="" if queries[0].sql.endswith("\n") else "\n")
    else:
        print("\n\n".join(describe_query(q) for q in queries) if queries else "no named queries found")
    return 0


def query_as_dict(query: NamedQuery, *, with_sql: bool = False) -> dict[str, Any]:
    """What ``describe_query`` says, as JSON: name, description, parameters in --param order, usage."""
    described: dict[str, Any] = {
        "name": query.name,
        "description": query.description,
        "parameters": [
            {"position": position, "name": p.name, "type": p.type, "help": p.help}
            for position, p in enumerate(query.parameters, start=1)
        ],
        "usage": _usage(query),
    }
    if with_sql:
        described["sql"] = query.sql
    return described


def describe_query(query: NamedQuery) -> str:
    """One block per query: name and description, then each parameter in --param order."""
    lines = [f"{query.name}: {query.description}"]
    if not query.parameters:
        lines.append("  (no parameters)")
    for position, param in enumerate(query.parameters, start=1):
        help_text = f" - {param.help}" if param.help else ""
        accepted = "".join(f", {constraint}" for constraint in param.constraints)  # the values the engines accept
        lines.append(f"  --param {position}: {param.name} ({param.type}{accepted}){help_text}")
    lines.append(f"  usage: {_usage(query)}")
    return "\n".join(lines)


def _usage(query: NamedQuery) -> str:
    return " ".join(["mlmeta query", query.name, *(f"--param <{p.name}>" for p in query.parameters), "(--lake DIR | --athena)"])
