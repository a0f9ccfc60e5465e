"""Metric snapshotter Lambda: see handler.py and snapshot.py."""
