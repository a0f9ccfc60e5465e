"""Keeps the analysts' Glue views (``mlmeta.lake.views``) in step with the compacted day ranges.

The lake stack deploys each view with no compacted range (every day from raw: correct, only slower).
After each run the compactor writes the ranges of its state into the views that differ. A later deploy
that changes a view puts the stack's version back until the next run; every version reads each day from
one side only, so no moment double counts (docs/compaction.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mlmeta.lake.views import DayRange, glue_view_input, view_original_sql, view_sql
from mlmeta_contract.lake.schema import TableSpec


def sync_views(glue, database: str, tables: Sequence[TableSpec], ranges: Mapping[str, Sequence[DayRange]]) -> list[str]:
    """Update each view of ``tables`` whose SQL is not the one for ``ranges``; return the updated names."""
    updated = []
    for table in tables:
        wanted = view_sql(table, ranges.get(table.name, ()))
        current = glue.get_table(DatabaseName=database, Name=table.name)["Table"]
        text = current.get("ViewOriginalText", "")
        try:
            same = view_original_sql(text) == wanted
        except ValueError:
            same = False  # not a view we wrote: replace it with ours
        if not same:
            glue.update_table(DatabaseName=database, TableInput=glue_view_input(table, database, ranges.get(table.name, ())))
            updated.append(table.name)
    return updated
