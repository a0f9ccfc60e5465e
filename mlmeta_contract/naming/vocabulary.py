"""The fixed vocabulary of the convention: the kinds of names, the SageMaker resource each one names,
and the placeholders a pattern may use. Organisations configure patterns, not this vocabulary,
because the stacks, handlers and pipeline code depend on it."""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = (
    "pipeline",
    "pipeline-experiment",
    "environment-trial",
    "analysis-trial",
    "analysis-component",
    "eda-experiment",
    "eda-trial",
    "eda-component",
)

# The SageMaker resource type (as written in its ARN) that each kind names.
RESOURCE_TYPES = {
    "pipeline": "pipeline",
    "pipeline-experiment": "experiment",
    "environment-trial": "experiment-trial",
    "analysis-trial": "experiment-trial",
    "analysis-component": "experiment-trial-component",
    "eda-experiment": "experiment",
    "eda-trial": "experiment-trial",
    "eda-component": "experiment-trial-component",
}

# SageMaker Metrics (BatchPutMetrics) accepts only lowercase trial-component names, so these kinds
# stay lowercase even when an organisation turns the lowercase rule off.
METRIC_KINDS = frozenset({"analysis-component", "eda-component"})

# SageMaker's name limit for experiments, trials and trial components.
SAGEMAKER_MAX_LENGTH = 120
SAGEMAKER_NAME_RE = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9])*")

# Lowercase words separated by single hyphens: use cases, topics, steps, environment names, kind words.
HYPHENATED_WORDS_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Field:
    """A placeholder that a pattern fills with a caller's value."""

    placeholder: str  # as written in a pattern: {usecase}
    part: str  # key in parsed parts and keyword of new(): use_case
    multiword: bool  # may contain single hyphens (only one such field between two fixed words)
    meaning: str  # what a valid value looks like, for error messages


FIELDS = {
    field.placeholder: field
    for field in (
        Field("usecase", "use_case", True, "lowercase letters and digits in words separated by single hyphens"),
        Field("env", "env", False, "one of the convention's environments"),
        Field("execution_id", "execution_id", False, "a SageMaker pipeline execution id: 12 lowercase letters or digits"),
        Field("user", "user", False, "one word of lowercase letters and digits, no hyphens"),
        Field("yyyymmdd", "date", False, "a calendar date written YYYYMMDD"),
        Field("topic", "topic", True, "lowercase letters and digits in words separated by single hyphens"),
        Field("step", "step", True, "lowercase letters and digits in words separated by single hyphens"),
        # One word, so that an EDA component {trial}-{run} parses from the right after a multi-word topic.
        Field("run", "run", False, "one word of lowercase letters and digits, no hyphens"),
    )
}
FIELDS_BY_PART = {field.part: field for field in FIELDS.values()}
PARTS = tuple(FIELDS_BY_PART)

# Placeholders every organisation's pattern for a kind must keep: the system reads these parts back
# (tags, snapshots, the IAM guardrail), and execution ids keep per-execution names unique.
_PIPELINE = ("usecase", "env")
REQUIRED_PLACEHOLDERS = {
    "pipeline": _PIPELINE,
    "pipeline-experiment": _PIPELINE,
    "environment-trial": (*_PIPELINE, "execution_id"),
    "analysis-trial": (*_PIPELINE, "execution_id"),
    "analysis-component": (*_PIPELINE, "execution_id", "step"),
    "eda-experiment": ("usecase", "user"),
    "eda-trial": ("usecase", "user", "topic"),
    "eda-component": ("usecase", "user", "topic", "run"),
}

# A child's name starts with its parent's name, so the evaluation step names a component "{trial}-{step}"
# and anyone can tell an EDA trial's experiment from the trial's name.
PARENT_KINDS = {"analysis-component": "analysis-trial", "eda-trial": "eda-experiment", "eda-component": "eda-trial"}
