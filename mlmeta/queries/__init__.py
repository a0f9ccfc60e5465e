"""Named queries: the SQL in ``mlmeta/queries/sql/`` and the engines that run it (Athena, or DuckDB locally)."""
