"""Naming guard Lambda: see handler.py and guard.py."""
