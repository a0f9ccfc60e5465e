"""The lake's Glue catalog: one database and, per ``mlmeta_contract.lake.schema.TABLES`` entry, three tables
(docs/compaction.md):

- ``<table>_raw``: the snapshots as written, gzip JSON Lines below ``raw/...`` (or ``audit/naming``);
- ``<table>_compacted``: one Parquet object per day below ``compacted/<table>/``;
- ``<table>``: the view the named queries read, each day from one of the two (``mlmeta.lake.views``).
  Deployed with no compacted day (every day from raw); the compactor writes its day ranges into it.

and the derived views over those views (``mlmeta.lake.views.DERIVED_VIEWS``: ``execution_metrics``), whose
SQL never changes with the compacted days.

Columns come from the schema module, never listed here. Partitions are found by partition
projection on ``dt`` (no crawler, no ``MSCK REPAIR``): Athena computes them from the query's filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_glue as glue
from constructs import Construct

from mlmeta_contract.lake.schema import PARTITION_KEY, TableSpec
from mlmeta.lake.views import DERIVED_VIEWS, DerivedView, derived_view_input, glue_view_input


@dataclass(frozen=True)
class StorageFormat:
    classification: str
    serde: str
    input_format: str
    output_format: str


# Reads gzip transparently (by the .gz extension), one JSON record a line.
JSON_LINES = StorageFormat(
    classification="json",
    serde="org.openx.data.jsonserde.JsonSerDe",
    input_format="org.apache.hadoop.mapred.TextInputFormat",
    output_format="org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
)
PARQUET = StorageFormat(
    classification="parquet",
    serde="org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    input_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    output_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
)
# The first day any snapshot can carry; NOW keeps the range open-ended without redeploying.
PROJECTION_RANGE = "2020-01-01,NOW"
PARTITION_DATE_FORMAT = "yyyy-MM-dd"


def table_location(bucket_name: str, prefix: str) -> str:
    return f"s3://{bucket_name}/{prefix}/"


def projection_parameters(bucket_name: str, prefix: str) -> dict[str, str]:
    """Partition projection of ``dt`` (docs/design.md §5): one partition per UTC day."""
    key = PARTITION_KEY
    return {
        "projection.enabled": "true",
        f"projection.{key}.type": "date",
        f"projection.{key}.format": PARTITION_DATE_FORMAT,
        f"projection.{key}.range": PROJECTION_RANGE,
        f"projection.{key}.interval": "1",
        f"projection.{key}.interval.unit": "DAYS",
        # ${dt} is Athena's placeholder, not a CloudFormation one (CDK renders this string as Fn::Join).
        "storage.location.template": f"{table_location(bucket_name, prefix)}{key}=${{{key}}}/",
    }


def table_input(bucket_name: str, spec: TableSpec, *, name: str, prefix: str, storage: StorageFormat, description: str) -> glue.CfnTable.TableInputProperty:
    """A table of ``spec``'s columns over ``prefix``, projected on ``dt``, stored as ``storage``."""
    return glue.CfnTable.TableInputProperty(
        name=name,
        description=description,
        table_type="EXTERNAL_TABLE",
        parameters={"EXTERNAL": "TRUE", "classification": storage.classification, **projection_parameters(bucket_name, prefix)},
        partition_keys=[
            glue.CfnTable.ColumnProperty(name=PARTITION_KEY, type="string", comment="partition: UTC date YYYY-MM-DD")
        ],
        storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
            columns=[
                glue.CfnTable.ColumnProperty(name=c.name, type=c.type, comment=c.comment or None) for c in spec.columns
            ],
            location=table_location(bucket_name, prefix),
            input_format=storage.input_format,
            output_format=storage.output_format,
            serde_info=glue.CfnTable.SerdeInfoProperty(serialization_library=storage.serde),
        ),
    )


def raw_table_input(bucket_name: str, spec: TableSpec) -> glue.CfnTable.TableInputProperty:
    return table_input(
        bucket_name, spec, name=spec.raw_table, prefix=spec.prefix, storage=JSON_LINES,
        description=f"{spec.description} As written: gzip JSON Lines, one object per execution or record.",
    )  # fmt: skip


def compacted_table_input(bucket_name: str, spec: TableSpec) -> glue.CfnTable.TableInputProperty:
    return table_input(
        bucket_name, spec, name=spec.compacted_table, prefix=spec.compacted_prefix, storage=PARQUET,
        description=f"{spec.description} Compacted: one Parquet (zstd) object per day; read through the view {spec.name}.",
    )  # fmt: skip


def view_table_input(spec: TableSpec, database_name: str) -> glue.CfnTable.TableInputProperty:
    """The view ``spec.name`` as deployed: no compacted day yet (the compactor adds its ranges)."""
    return _view_input_property(glue_view_input(spec, database_name, ()))


def derived_view_table_input(view: DerivedView, database_name: str) -> glue.CfnTable.TableInputProperty:
    return _view_input_property(derived_view_input(view, database_name))


def _view_input_property(api: dict[str, Any]) -> glue.CfnTable.TableInputProperty:
    """Glue's TableInput (API field names, as the compactor sends it) as CloudFormation properties."""
    storage = api["StorageDescriptor"]
    return glue.CfnTable.TableInputProperty(
        name=api["Name"],
        description=api["Description"],
        table_type=api["TableType"],
        parameters=api["Parameters"],
        partition_keys=[],
        storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
            columns=[glue.CfnTable.ColumnProperty(name=c["Name"], type=c["Type"]) for c in storage["Columns"]],
            serde_info=glue.CfnTable.SerdeInfoProperty(),
        ),
        view_original_text=api["ViewOriginalText"],
        view_expanded_text=api["ViewExpandedText"],
    )


class LakeCatalog(Construct):
    """Glue database ``database_name`` and a projected JSON table per spec, located in ``bucket_name``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        database_name: str,
        bucket_name: str,
        tables: Sequence[TableSpec],
        derived_views: Sequence[DerivedView] = DERIVED_VIEWS,
    ) -> None:
        super().__init__(scope, construct_id)
        account = Stack.of(self).account
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=database_name,
                description="mlmeta metric lake: SageMaker Experiments snapshots and naming audit records.",
            ),
        )
        self.database_name = database_name
        # Ids are the table names: stable logical IDs, and a new table adds a resource without touching
        # others. The view keeps the id (and name) of the table it replaced, so CloudFormation updates
        # that table in place into the view; a new resource of the same name would collide with it.
        self.tables: dict[str, glue.CfnTable] = {}
        for spec in tables:
            stored = [
                self._table(spec.raw_table, raw_table_input(bucket_name, spec), account),
                self._table(spec.compacted_table, compacted_table_input(bucket_name, spec), account),
            ]
            view = self._table(spec.name, view_table_input(spec, database_name), account)
            for table in stored:
                view.add_resource_dependency(table)
        for derived in derived_views:
            self._table(derived.name, derived_view_table_input(derived, database_name), account).add_resource_dependency(
                self.tables[derived.source.name]
            )

    def _table(self, name: str, table_input: glue.CfnTable.TableInputProperty, account: str) -> glue.CfnTable:
        table = glue.CfnTable(self, name, catalog_id=account, database_name=self.database_name, table_input=table_input)
        # Named, not referenced (a readable template), so order the creation explicitly.
        table.add_resource_dependency(self.database)
        self.tables[name] = table
        return table
