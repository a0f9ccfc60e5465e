"""Tag keys the handlers write, and SageMaker's tag-list format. The convention's keys live in
``mlmeta_contract.naming.tags``; ``mlmeta:step`` is the handlers' own (the tagger writes it on job-created
trial components, the snapshotter reads it back)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mlmeta_contract.naming.tags import TAG_ENVIRONMENT, TAG_KIND, TAG_NAMING, TAG_PIPELINE_EXECUTION_ARN, TAG_USE_CASE

TAG_STEP = "mlmeta:step"

__all__ = [
    "TAG_ENVIRONMENT",
    "TAG_KIND",
    "TAG_NAMING",
    "TAG_PIPELINE_EXECUTION_ARN",
    "TAG_STEP",
    "TAG_USE_CASE",
    "tag_dict",
    "tag_list",
]


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """``{"k": "v"}`` -> ``[{"Key": "k", "Value": "v"}]`` (AddTags), in key order so calls are stable."""
    return [{"Key": key, "Value": tags[key]} for key in sorted(tags)]


def tag_dict(tags: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """SageMaker's tag list as a dict; entries without a string Key are ignored."""
    return {tag["Key"]: str(tag.get("Value", "")) for tag in tags or () if isinstance(tag.get("Key"), str)}
