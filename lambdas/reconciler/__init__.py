"""Reconciler Lambda (scheduled): see handler.py and reconcile.py."""
