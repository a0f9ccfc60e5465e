"""Constructs of the compaction stack (stacks/compaction_stack.py, docs/compaction.md)."""
