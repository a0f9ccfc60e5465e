"""The compactor Lambda: rewrites each day of the lake into one Parquet object per table (docs/compaction.md)."""
