"""Glue database and tables: generated from mlmeta_contract.lake.schema, projected on dt; per lake table a raw
JSON table, a compacted Parquet table and the view the named queries read (docs/compaction.md), and the
derived views over those (execution_metrics)."""

from __future__ import annotations

import pytest

from mlmeta_contract.lake.schema import PARTITION_KEY, TABLES
from mlmeta.lake.views import DERIVED_VIEWS, decode_presto_view, view_sql

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


def test_three_tables_per_schema_table_and_the_derived_views_in_the_database(env_app):
    tables = table_inputs(env_app)
    derived = [view.name for view in DERIVED_VIEWS]
    assert sorted(tables) == sorted([*(name for t in TABLES for name in (t.name, t.raw_table, t.compacted_table)), *derived])
    assert "execution_metrics" in derived
    assert {p["DatabaseName"] for p in tables.values()} == {env_app.settings.glue_database_name}


STORED = [
    pytest.param("raw_table", "prefix", "org.openx.data.jsonserde.JsonSerDe", "org.apache.hadoop.mapred.TextInputFormat",
                 "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat", "json", id="raw-json"),
    pytest.param("compacted_table", "compacted_prefix", "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                 "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                 "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat", "parquet", id="compacted-parquet"),
]  # fmt: skip


@pytest.mark.parametrize("spec", TABLES, ids=lambda t: t.name)
@pytest.mark.parametrize(("name_of", "prefix_of", "serde", "input_format", "output_format", "classification"), STORED)
def test_stored_tables_have_the_schemas_columns_and_read_their_prefix(env_app, spec, name_of, prefix_of, serde, input_format, output_format, classification):
    table = table_inputs(env_app)[getattr(spec, name_of)]["TableInput"]
    prefix = getattr(spec, prefix_of)
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Description"].startswith(spec.description)
    assert table["Parameters"]["classification"] == classification
    storage = table["StorageDescriptor"]
    assert [(c["Name"], c["Type"], c.get("Comment", "")) for c in storage["Columns"]] == [
        (c.name, c.type, c.comment) for c in spec.columns
    ]
    assert storage["SerdeInfo"] == {"SerializationLibrary": serde}
    assert (storage["InputFormat"], storage["OutputFormat"]) == (input_format, output_format)
    assert storage["Location"] == s3_url(env_app, f"/{prefix}/")
    assert [(k["Name"], k["Type"]) for k in table["PartitionKeys"]] == [(PARTITION_KEY, "string")]
    parameters = table["Parameters"]
    assert {k: parameters[k] for k in EXPECTED_PROJECTION} == EXPECTED_PROJECTION
    template = s3_url(env_app, f"/{prefix}/{PARTITION_KEY}=${{{PARTITION_KEY}}}/")
    assert parameters["storage.location.template"] == template


@pytest.mark.parametrize("spec", TABLES, ids=lambda t: t.name)
def test_the_analysts_table_is_a_view_reading_every_day_from_raw_until_the_compactor_adds_ranges(env_app, spec):
    view = table_inputs(env_app)[spec.name]["TableInput"]
    assert view["TableType"] == "VIRTUAL_VIEW"
    assert view["Parameters"] == {"presto_view": "true", "comment": "Presto View"}
    definition = decode_presto_view(view["ViewOriginalText"])
    assert definition["originalSql"] == view_sql(spec, ())
    assert definition["schema"] == env_app.settings.glue_database_name
    assert [c["Name"] for c in view["StorageDescriptor"]["Columns"]] == [*spec.column_names, PARTITION_KEY]


def test_each_view_is_created_after_the_two_tables_it_reads(env_app):
    resources = env_app.resources(env_app.stacks.lake, "AWS::Glue::Table")
    ids = {r["Properties"]["TableInput"]["Name"]: logical_id for logical_id, r in resources.items()}
    for spec in TABLES:
        depends = set(resources[ids[spec.name]]["DependsOn"])
        assert {ids[spec.raw_table], ids[spec.compacted_table]} <= depends


@pytest.mark.parametrize("view", DERIVED_VIEWS, ids=lambda v: v.name)
def test_a_derived_view_is_deployed_with_its_sql_after_the_view_it_reads(env_app, view):
    resources = env_app.resources(env_app.stacks.lake, "AWS::Glue::Table")
    ids = {r["Properties"]["TableInput"]["Name"]: logical_id for logical_id, r in resources.items()}
    deployed = resources[ids[view.name]]
    table = deployed["Properties"]["TableInput"]
    assert table["TableType"] == "VIRTUAL_VIEW"
    definition = decode_presto_view(table["ViewOriginalText"])
    assert definition["originalSql"] == view.sql
    assert definition["schema"] == env_app.settings.glue_database_name
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == [*view.source.column_names, PARTITION_KEY]
    assert ids[view.source.name] in deployed["DependsOn"]


def test_no_crawler_maintains_partitions(env_app):
    env_app.template(env_app.stacks.lake).resource_count_is("AWS::Glue::Crawler", 0)
