"""The synthetic lake (mlmeta/local/synthetic_lake.py) follows the schema: every record has the schema's
columns in its order, a column the generator knows nothing of is null (so a new column of
mlmeta_contract/lake/schema.py needs no change to the generator), and a key that is no column fails."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from mlmeta.local import synthetic_lake
from mlmeta_contract.lake.schema import METRIC_SNAPSHOTS, TABLES, Column


def test_every_generated_record_has_exactly_the_schemas_columns_in_order():
    history = synthetic_lake.generate_history(executions=6, start=datetime(2026, 1, 5, tzinfo=UTC), seed=3)
    tables = history.by_table()
    assert {table.name for table in tables} == {table.name for table in TABLES}
    for table, rows in tables.items():
        assert rows and all(tuple(row) == table.column_names for row in rows), table.name


def test_a_column_the_generator_does_not_know_is_null_and_the_rest_keep_their_values():
    with_new_column = dataclasses.replace(METRIC_SNAPSHOTS, columns=(*METRIC_SNAPSHOTS.columns, Column("metric_unit", "string")))
    known = {name: f"value of {name}" for name in METRIC_SNAPSHOTS.column_names}

    row = synthetic_lake._row(with_new_column, known)

    assert tuple(row) == with_new_column.column_names
    assert row["metric_unit"] is None
    assert {name: row[name] for name in METRIC_SNAPSHOTS.column_names} == known


def test_a_key_that_is_no_column_fails_naming_it():
    known = {name: None for name in METRIC_SNAPSHOTS.column_names}
    with pytest.raises(ValueError, match=r"metric_snapshots record does not match the schema: \['metrc_name'\] are not its columns"):
        synthetic_lake._row(METRIC_SNAPSHOTS, known, metrc_name="auc")
