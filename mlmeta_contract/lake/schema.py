"""The lake's data contract (docs/design.md §5): one source of truth for the Glue tables and the local engine.

Types are Hive/Glue type strings. The Glue tables are generated from these definitions, and the
local DuckDB engine pins its column types from them instead of letting ``read_json`` guess.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = 1

PARTITION_KEY = "dt"
# Compacted objects (docs/compaction.md) live below this prefix: compacted/<table>/dt=YYYY-MM-DD/.
COMPACTED_ROOT = "compacted"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str = ""


@dataclass(frozen=True)
class TableSpec:
    name: str
    # Key prefix inside the lake bucket, without a trailing slash; partitions live below as dt=YYYY-MM-DD/.
    prefix: str
    columns: tuple[Column, ...]
    description: str

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    # The analysts' table ``name`` is a view over two tables (docs/compaction.md): the snapshots as
    # written (JSON objects below ``prefix``) and the compacted days (one Parquet object a day).
    @property
    def raw_table(self) -> str:
        return f"{self.name}_raw"

    @property
    def compacted_table(self) -> str:
        return f"{self.name}_compacted"

    @property
    def compacted_prefix(self) -> str:
        return f"{COMPACTED_ROOT}/{self.name}"


_IDENTITY = (
    Column("schema_version", "int", "version of this record layout"),
    Column("use_case", "string"),
    Column("environment", "string"),
    Column("pipeline_name", "string"),
    Column("pipeline_execution_id", "string"),
    Column("pipeline_execution_arn", "string"),
    Column("execution_status", "string", "Succeeded, Failed, Stopped or CompletedWithFailures"),
    Column("execution_start", "string", "ISO-8601 UTC with Z"),
    Column("execution_end", "string", "ISO-8601 UTC with Z"),
    Column("experiment_name", "string"),
    Column("trial_name", "string"),
    Column("trial_kind", "string", "environment, analysis or eda"),
    Column("trial_component_name", "string"),
    # Added after the first data contract (docs/design.md §5 lists it now): the pipeline step that produced
    # the component, so that components of two executions can be matched (job-created component names carry
    # random suffixes). Null if unknown.
    Column("step_name", "string", "pipeline step that produced the component, if known"),
    Column("source_arn", "string", "ARN of the job that created the component, if any"),
)

METRIC_SNAPSHOTS = TableSpec(
    name="metric_snapshots",
    prefix="raw/metric_snapshots",
    description="One row per metric per trial component per pipeline execution.",
    columns=_IDENTITY
    + (
        Column("metric_name", "string"),
        Column("metric_value", "double", "the last logged value"),
        Column("metric_min", "double"),
        Column("metric_max", "double"),
        Column("metric_avg", "double"),
        Column("metric_stddev", "double"),
        Column("metric_count", "bigint"),
        Column("metric_time", "string", "ISO-8601 UTC time of the last value"),
        Column("snapshot_time", "string", "ISO-8601 UTC time the snapshot was taken"),
    ),
)

COMPONENT_SNAPSHOTS = TableSpec(
    name="component_snapshots",
    prefix="raw/component_snapshots",
    description="One row per trial component per pipeline execution: what it takes to reproduce the run.",
    columns=_IDENTITY
    + (
        Column("status", "string"),
        Column("start_time", "string"),
        Column("end_time", "string"),
        Column("parameters", "map<string,string>"),
        Column("input_artifacts", "map<string,string>", "artifact name -> URI"),
        Column("output_artifacts", "map<string,string>", "artifact name -> URI"),
        Column("snapshot_time", "string"),
    ),
)

NAMING_AUDIT = TableSpec(
    name="naming_audit",
    prefix="audit/naming",
    description="One row per naming check of an experiment, trial or trial component.",
    columns=(
        Column("checked_at", "string", "ISO-8601 UTC"),
        Column("source", "string", "cloudtrail, sweep or pipeline"),
        Column("resource_type", "string", "experiment, trial or trial-component"),
        Column("resource_name", "string"),
        Column("resource_arn", "string"),
        Column("verdict", "string", "compliant or violation"),
        Column("rule", "string"),
        Column("reason", "string"),
        Column("actor_arn", "string"),
        Column("action", "string", "API call that created the resource"),
    ),
)

TABLES: tuple[TableSpec, ...] = (METRIC_SNAPSHOTS, COMPONENT_SNAPSHOTS, NAMING_AUDIT)
TABLES_BY_NAME = {t.name: t for t in TABLES}
