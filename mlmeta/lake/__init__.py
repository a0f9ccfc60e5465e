"""The metric lake: its data contract (tables, columns, keys) and how objects are written."""
