"""Trial tagger Lambda: see handler.py and tagging.py."""
