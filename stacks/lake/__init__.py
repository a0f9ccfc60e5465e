"""Constructs of the lake stack: storage, Glue catalog, Athena workgroup, named queries."""
