"""The SageMaker entities an event's handlers asked the embedded AWS about and it does not hold.

Replayed events often name what only the real account holds (the trial component a saved CloudTrail
event announces, the trial Pipelines would have created). The embedded moto server records each
lookup it answers "not found" (``mlmeta.local.moto_gaps.missing_entities_not_found``) here; replay
reads what one event's handlers missed and says it in one line. Standard library only: replay imports
it whether or not moto is installed (with ``--endpoint``, nothing records, and the line falls back to
the error the handler got).
"""

from __future__ import annotations

import threading

# What sagemaker ARNs call each kind (arn:aws:sagemaker:<region>:<account>:<type>/<name>), in words.
_KINDS = {"experiment": "experiment", "experiment-trial": "trial", "experiment-trial-component": "trial component"}


class MissingEntities:
    """Thread-safe: the embedded server answers on its own threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._missing: list[str] = []

    def record(self, kind: str, name: str) -> None:
        with self._lock:
            self._missing.append(f"{kind} {name}")

    def record_arn(self, arn: str) -> None:
        resource = arn.rsplit(":", 1)[-1]
        kind, _, name = resource.partition("/")
        self.record(_KINDS.get(kind, kind.replace("-", " ")), name or resource)

    def take(self) -> list[str]:
        """What was recorded since the last ``take``, each entity once, in order."""
        with self._lock:
            taken, self._missing = self._missing, []
        return list(dict.fromkeys(taken))


# One per process, like moto's backends: the embedded server is a thread of this process.
MISSING = MissingEntities()


def missing_message(entities: list[str], where: str) -> str:
    """``entity trial X does not exist in the embedded AWS; seed it or replay its creation first``."""
    return f"entity {', '.join(entities)} {'does' if len(entities) == 1 else 'do'} not exist in {where}; seed it or replay its creation first"
