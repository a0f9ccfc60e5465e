"""Every mlmeta/queries/sql/*.sql becomes an Athena named query in the environment's workgroup and database."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_athena as athena
from cdk_synth import synthesize

from mlmeta.config import get_environment
from mlmeta.queries.catalog import NamedQuery, load_queries, queries_dir
from stacks.lake.named_queries import MAX_DESCRIPTION_CHARS, NamedQueries

# Stand-ins, so that these tests check the construct even before (or however) mlmeta/queries/sql/ changes.
SAMPLE_QUERIES = {
    "metric_history": (
        "-- Query: metric_history\n"
        "-- Description: One metric of one pipeline over time.\n"
        "-- Param 1: pipeline_name varchar - the pipeline\n"
        "-- Param 2: from_dt date - first dt partition, inclusive\n"
        "SELECT dt, metric_value FROM metric_snapshots WHERE pipeline_name = ? AND dt >= ? ORDER BY dt\n"
    ),
    "naming_violations": (
        "-- Query: naming_violations\n"
        "-- Description: Names that broke the convention, newest first.\n"
        "SELECT checked_at, resource_name, reason FROM naming_audit WHERE verdict = 'violation'\n"
        "ORDER BY checked_at DESC\n"
    ),
}


def named_queries(env_app) -> dict[str, dict]:
    resources = env_app.resources(env_app.stacks.lake, "AWS::Athena::NamedQuery").values()
    return {r["Properties"]["Name"]: r for r in resources}


def workgroup_id(env_app) -> str:
    (logical_id,) = env_app.resources(env_app.stacks.lake, "AWS::Athena::WorkGroup")
    return logical_id


def assert_named_queries_match(env_app, queries: list[NamedQuery]) -> None:
    found = named_queries(env_app)
    assert sorted(found) == sorted(q.name for q in queries)
    for query in queries:
        resource = found[query.name]
        assert resource["Properties"] == {
            "Name": query.name,
            "Description": query.description,
            "QueryString": query.sql,
            "Database": env_app.settings.glue_database_name,
            "WorkGroup": env_app.settings.athena_workgroup_name,
        }
        # Named by string, so the dependency on the workgroup has to be explicit.
        assert resource["DependsOn"] == [workgroup_id(env_app)]


@pytest.fixture(scope="module")
def sample_app(tmp_path_factory):
    directory = tmp_path_factory.mktemp("queries")
    for name, sql in SAMPLE_QUERIES.items():
        (directory / f"{name}.sql").write_text(sql, encoding="utf-8")
    queries = list(load_queries(directory).values())
    return synthesize(get_environment("stg"), queries, tmp_path_factory.mktemp("cdk-sample"))


def test_each_sample_query_becomes_a_named_query(sample_app):
    assert len(sample_app.queries) == len(SAMPLE_QUERIES)
    assert_named_queries_match(sample_app, list(sample_app.queries))


def test_one_named_query_per_sql_file_of_the_checkout(env_app):
    sql_files = sorted(Path(queries_dir()).glob("*.sql"))
    assert len(named_queries(env_app)) == len(sql_files)
    assert_named_queries_match(env_app, list(load_queries().values()))


def test_a_description_longer_than_athena_accepts_fails_at_synth():
    stack = Stack(App(), "Probe")
    workgroup = athena.CfnWorkGroup(stack, "Workgroup", name="probe")
    query = NamedQuery(
        name="too_long",
        description="x" * (MAX_DESCRIPTION_CHARS + 1),
        parameters=(),
        sql="SELECT 1\n",
        path=Path("too_long.sql"),
    )
    with pytest.raises(ValueError, match="too_long.sql: description is longer"):
        NamedQueries(stack, "NamedQueries", queries=[query], workgroup=workgroup, database_name="probe")
