"""Every ``mlmeta/queries/sql/*.sql`` file as an Athena named query, so the console offers the same SQL as the CLI."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_athena as athena
from constructs import Construct

from mlmeta.queries.catalog import NamedQuery

# AWS::Athena::NamedQuery limits; checked at synth so a long file fails here, not mid-deploy.
MAX_DESCRIPTION_CHARS = 1024
MAX_QUERY_BYTES = 262_144


class NamedQueries(Construct):
    """One ``AWS::Athena::NamedQuery`` per query, in the given workgroup and database."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        queries: Sequence[NamedQuery],
        workgroup: athena.CfnWorkGroup,
        database_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.queries: dict[str, athena.CfnNamedQuery] = {}
        for query in queries:
            _check_limits(query)
            # Id = query name: renaming a file replaces its named query, editing it updates in place.
            named_query = athena.CfnNamedQuery(
                self,
                query.name,
                name=query.name,
                description=query.description,
                database=database_name,
                work_group=workgroup.name,
                query_string=query.sql,
            )
            # The workgroup is named, not referenced (a readable template), so order the creation explicitly.
            named_query.add_resource_dependency(workgroup)
            self.queries[query.name] = named_query


def _check_limits(query: NamedQuery) -> None:
    if len(query.description) > MAX_DESCRIPTION_CHARS:
        raise ValueError(f"{query.path.name}: description is longer than Athena's {MAX_DESCRIPTION_CHARS} characters")
    if len(query.sql.encode("utf-8")) > MAX_QUERY_BYTES:
        raise ValueError(f"{query.path.name}: query is larger than Athena's {MAX_QUERY_BYTES} bytes")
