"""``python -m mlmeta.config`` prints the configured environment names (used by ``make synth``)."""

from mlmeta.config import ENVIRONMENTS

print(" ".join(ENVIRONMENTS))
