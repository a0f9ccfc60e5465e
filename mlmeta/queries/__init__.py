"""Named queries: the SQL in ``queries/`` and the engines that run it (Athena, or DuckDB locally)."""
