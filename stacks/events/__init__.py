"""Constructs of the events stack (stacks/events_stack.py)."""
