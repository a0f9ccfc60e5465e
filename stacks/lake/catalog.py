"""The lake's Glue catalog: one database and one table per ``mlmeta.lake.schema.TABLES`` entry.

Columns come from the schema module, never listed here. Partitions are found by partition
projection on ``dt`` (no crawler, no ``MSCK REPAIR``): Athena computes them from the query's filter.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_glue as glue
from constructs import Construct

from mlmeta.lake.schema import PARTITION_KEY, TableSpec

JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
# Reads gzip transparently (by the .gz extension), one JSON record a line.
INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat"
OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
# The first day any snapshot can carry; NOW keeps the range open-ended without redeploying.
PROJECTION_RANGE = "2020-01-01,NOW"
PARTITION_DATE_FORMAT = "yyyy-MM-dd"


def table_location(bucket_name: str, spec: TableSpec) -> str:
    return f"s3://{bucket_name}/{spec.prefix}/"


def projection_parameters(bucket_name: str, spec: TableSpec) -> dict[str, str]:
    """Partition projection of ``dt`` (design §5): one partition per UTC day."""
    key = PARTITION_KEY
    return {
        "projection.enabled": "true",
        f"projection.{key}.type": "date",
        f"projection.{key}.format": PARTITION_DATE_FORMAT,
        f"projection.{key}.range": PROJECTION_RANGE,
        f"projection.{key}.interval": "1",
        f"projection.{key}.interval.unit": "DAYS",
        # ${dt} is Athena's placeholder, not a CloudFormation one (CDK renders this string as Fn::Join).
        "storage.location.template": f"{table_location(bucket_name, spec)}{key}=${{{key}}}/",
    }


def table_input(bucket_name: str, spec: TableSpec) -> glue.CfnTable.TableInputProperty:
    return glue.CfnTable.TableInputProperty(
        name=spec.name,
        description=spec.description,
        table_type="EXTERNAL_TABLE",
        parameters={"EXTERNAL": "TRUE", "classification": "json", **projection_parameters(bucket_name, spec)},
        partition_keys=[
            glue.CfnTable.ColumnProperty(name=PARTITION_KEY, type="string", comment="partition: UTC date YYYY-MM-DD")
        ],
        storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
            columns=[
                glue.CfnTable.ColumnProperty(name=c.name, type=c.type, comment=c.comment or None) for c in spec.columns
            ],
            location=table_location(bucket_name, spec),
            input_format=INPUT_FORMAT,
            output_format=OUTPUT_FORMAT,
            serde_info=glue.CfnTable.SerdeInfoProperty(serialization_library=JSON_SERDE),
        ),
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
        # Ids are the table names: stable logical IDs, and a new table adds a resource without touching others.
        self.tables: dict[str, glue.CfnTable] = {}
        for spec in tables:
            table = glue.CfnTable(
                self,
                spec.name,
                catalog_id=account,
                database_name=database_name,
                table_input=table_input(bucket_name, spec),
            )
            # Named, not referenced (a readable template), so order the creation explicitly.
            table.add_resource_dependency(self.database)
            self.tables[spec.name] = table
