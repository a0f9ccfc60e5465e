"""Glue database and tables: generated from mlmeta.lake.schema, projected on dt, read as JSON."""

from __future__ import annotations

import pytest

from mlmeta.lake.schema import PARTITION_KEY, TABLES

EXPECTED_PROJECTION = {
    "projection.enabled": "true",
    f"projection.{PARTITION_KEY}.type": "date",
    f"projection.{PARTITION_KEY}.format": "yyyy-MM-dd",
    f"projection.{PARTITION_KEY}.range": "2020-01-01,NOW",
    f"projection.{PARTITION_KEY}.interval": "1",
    f"projection.{PARTITION_KEY}.interval.unit": "DAYS",
}


def table_inputs(env_app) -> dict[str, dict]:
    tables = env_app.resources(env_app.stacks.lake, "AWS::Glue::Table").values()
    return {t["Properties"]["TableInput"]["Name"]: t["Properties"] for t in tables}


def bucket_ref(env_app) -> dict:
    lake = env_app.stacks.lake
    return {"Ref": lake.get_logical_id(lake.bucket.node.default_child)}


def s3_url(env_app, suffix: str) -> dict:
    return {"Fn::Join": ["", ["s3://", bucket_ref(env_app), suffix]]}


def test_database_is_named_by_the_environment(env_app):
    databases = env_app.resources(env_app.stacks.lake, "AWS::Glue::Database")
    names = [d["Properties"]["DatabaseInput"]["Name"] for d in databases.values()]
    assert names == [env_app.settings.glue_database_name]


def test_one_table_per_schema_table_in_the_database(env_app):
    tables = table_inputs(env_app)
    assert sorted(tables) == sorted(t.name for t in TABLES)
    assert {p["DatabaseName"] for p in tables.values()} == {env_app.settings.glue_database_name}


@pytest.mark.parametrize("spec", TABLES, ids=lambda t: t.name)
def test_columns_equal_the_schema(env_app, spec):
    columns = table_inputs(env_app)[spec.name]["TableInput"]["StorageDescriptor"]["Columns"]
    assert [(c["Name"], c["Type"], c.get("Comment", "")) for c in columns] == [
        (c.name, c.type, c.comment) for c in spec.columns
    ]


@pytest.mark.parametrize("spec", TABLES, ids=lambda t: t.name)
def test_table_reads_json_lines_under_its_prefix(env_app, spec):
    table = table_inputs(env_app)[spec.name]["TableInput"]
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Description"] == spec.description
    storage = table["StorageDescriptor"]
    assert storage["SerdeInfo"] == {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"}
    assert storage["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert storage["OutputFormat"] == "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
    assert storage["Location"] == s3_url(env_app, f"/{spec.prefix}/")


@pytest.mark.parametrize("spec", TABLES, ids=lambda t: t.name)
def test_partitions_are_projected_on_dt(env_app, spec):
    table = table_inputs(env_app)[spec.name]["TableInput"]
    assert [(k["Name"], k["Type"]) for k in table["PartitionKeys"]] == [(PARTITION_KEY, "string")]
    parameters = table["Parameters"]
    assert {k: parameters[k] for k in EXPECTED_PROJECTION} == EXPECTED_PROJECTION
    template = s3_url(env_app, f"/{spec.prefix}/{PARTITION_KEY}=${{{PARTITION_KEY}}}/")
    assert parameters["storage.location.template"] == template


def test_no_crawler_maintains_partitions(env_app):
    env_app.template(env_app.stacks.lake).resource_count_is("AWS::Glue::Crawler", 0)
