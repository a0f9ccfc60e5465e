"""MLflow's rules for metric, parameter and tag keys, checked before anything is written.

The same rules as the server's (mlflow 3.17, ``mlflow/utils/validation.py``: validate_param_and_metric_name,
path_not_unique, MAX_ENTITY_KEY_LENGTH; a test checks these against the real server). A writer checks
every key of a record first, so a key MLflow would refuse fails before a run exists, not half-way
through the record.
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Iterable, Mapping

# Alphanumerics (Unicode \w, as MLflow's pattern), underscores, dashes, periods, spaces, colons, slashes.
_VALID_KEY_RE = re.compile(r"[/\w.\- :]*")
MAX_KEY_LENGTH = 250
MAX_PARAM_VALUE_LENGTH = 6000
MAX_TAG_VALUE_LENGTH = 8000


class InvalidMlflowKey(ValueError):
    """A key MLflow would refuse; the message names the key and the rule."""


def key_problem(key: object) -> str | None:
    """Why MLflow would refuse ``key`` as a metric, parameter or tag key; None when it accepts it."""
    if not isinstance(key, str):
        return f"a key must be text, got {key!r}"
    if not _VALID_KEY_RE.fullmatch(key):
        return "keys may only contain letters, digits, underscores (_), dashes (-), periods (.), spaces, colons (:) and slashes (/)"
    normalized = posixpath.normpath(key)
    if normalized != key or normalized == "." or normalized.startswith(("..", "/")):
        # MLflow may store keys as file paths: a key must not resolve to another one (a/../b, a//b, /a, "").
        return f"keys must not resolve to another path (this one would resolve to {normalized!r})"
    if len(key) > MAX_KEY_LENGTH:
        return f"keys are at most {MAX_KEY_LENGTH} characters, this one has {len(key)}"
    return None


def check_record(
    *,
    metrics: Mapping[str, float] | None = None,
    params: Mapping[str, object] | None = None,
    tags: Mapping[str, str] | None = None,
) -> None:
    """Raises InvalidMlflowKey on the first key, value or metric MLflow would refuse (one line, naming it)."""
    for what, keys in (("metric", metrics or {}), ("parameter", params or {}), ("tag", tags or {})):
        _check_keys(what, keys)
    for name, value in (metrics or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise InvalidMlflowKey(f"metric {name!r} is {value!r}: metrics are finite numbers")
    for what, values, limit in (("parameter", params or {}, MAX_PARAM_VALUE_LENGTH), ("tag", tags or {}, MAX_TAG_VALUE_LENGTH)):
        for name, value in values.items():
            if len(str(value)) > limit:
                raise InvalidMlflowKey(f"{what} {name!r}: its value has {len(str(value))} characters, MLflow keeps at most {limit}")


def param_text(value: object) -> str:
    """The text MLflow keeps for a parameter (it keeps text only), written as the lake writes SageMaker's
    numeric parameters: 200 and 200.0 as ``200``, 0.1 as ``0.1`` (lambdas/snapshotter/snapshot.py)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise TypeError(f"a parameter is text or a number, got {value!r}")
    if isinstance(value, str):
        return value
    number = float(value)  # as SageMaker keeps it (NumberValue is a double)
    if number.is_integer() and abs(number) < 2**53:
        return str(int(number))
    return repr(number)


def _check_keys(what: str, keys: Iterable[object]) -> None:
    for key in keys:
        problem = key_problem(key)
        if problem:
            raise InvalidMlflowKey(f"{what} name {key!r} is refused by MLflow: {problem}; rename it")
