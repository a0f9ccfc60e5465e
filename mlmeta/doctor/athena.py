"""Post-deploy: the environment's Athena workgroup exists and is ENABLED (athena GetWorkGroup), and holds
a named query for every ``mlmeta/queries/sql/*.sql`` of the installed mlmeta (ListNamedQueries, GetNamedQuery)."""

from __future__ import annotations

from collections.abc import Sequence

from botocore.exceptions import ClientError

from mlmeta.doctor.aws import error_code
from mlmeta.doctor.context import DoctorContext
from mlmeta.doctor.result import CheckResult, failed, passed

WORKGROUP_CHECK = "athena workgroup"
QUERIES_CHECK = "named queries"


def check_workgroup(ctx: DoctorContext) -> CheckResult:
    name = ctx.settings.athena_workgroup_name
    deploy = f"make deploy ENV={ctx.settings.name} (the lake stack {ctx.settings.stack_name('lake')} creates it)"
    try:
        workgroup = ctx.aws("athena").get_work_group(WorkGroup=name).get("WorkGroup")
    except ClientError as err:
        # Athena answers an unknown workgroup with InvalidRequestException.
        if error_code(err) != "InvalidRequestException":
            raise
        workgroup = None
    if workgroup is None:
        return failed(WORKGROUP_CHECK, f"no workgroup {name} in {ctx.region}", deploy)
    if workgroup.get("State") != "ENABLED":
        return failed(
            WORKGROUP_CHECK, f"{name} is {workgroup.get('State')}: it runs no query", f"aws athena update-work-group --work-group {name} --state ENABLED"
        )
    return passed(WORKGROUP_CHECK, f"{name} is ENABLED")


def check_named_queries(ctx: DoctorContext, expected: Sequence[str]) -> CheckResult:
    name = ctx.settings.athena_workgroup_name
    athena = ctx.aws("athena")
    pages = athena.get_paginator("list_named_queries").paginate(WorkGroup=name)
    ids = [query_id for page in pages for query_id in page["NamedQueryIds"]]
    present = {athena.get_named_query(NamedQueryId=query_id)["NamedQuery"]["Name"] for query_id in ids}
    missing = sorted(set(expected) - present)
    if missing:
        return failed(
            QUERIES_CHECK,
            f"{len(missing)} of the {len(expected)} mlmeta/queries/sql/*.sql are not named queries of {name}: {', '.join(missing)}",
            f"the deployed lake stack is older than the checkout: make deploy ENV={ctx.settings.name}",
        )
    return passed(QUERIES_CHECK, f"all {len(expected)} mlmeta/queries/sql/*.sql are named queries of {name}")
