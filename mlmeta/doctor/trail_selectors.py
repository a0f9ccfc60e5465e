"""Whether a trail's event selectors (cloudtrail GetEventSelectors) log the write management events the
naming guard is triggered by (SageMaker's Create* calls, event source sagemaker.amazonaws.com).

Classic selectors: ``IncludeManagementEvents`` with ``ReadWriteType`` ``All`` or ``WriteOnly``.
Advanced selectors: ``eventCategory`` equal to ``Management`` and no ``readOnly`` field limiting it to
read-only calls (``Equals ["true"]`` or ``NotEquals ["false"]``), nor an ``eventSource`` field leaving
SageMaker out (CloudTrail User Guide, "Logging management events" and "AdvancedFieldSelector").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mlmeta_contract.events import SAGEMAKER_EVENT_SOURCE as SAGEMAKER


def logs_write_management_events(selectors: Mapping[str, Any]) -> bool:
    classic = selectors.get("EventSelectors") or []
    advanced = selectors.get("AdvancedEventSelectors") or []
    return any(map(_classic_selects, classic)) or any(_advanced_selects(s.get("FieldSelectors", [])) for s in advanced)


def _classic_selects(selector: Mapping[str, Any]) -> bool:
    # AWS's defaults when a field is left out: management events included, reads and writes.
    return bool(selector.get("IncludeManagementEvents", True)) and selector.get("ReadWriteType", "All") in ("All", "WriteOnly")


def _advanced_selects(fields: Sequence[Mapping[str, Any]]) -> bool:
    by_field = {field["Field"]: field for field in fields}
    if by_field.get("eventCategory", {}).get("Equals") != ["Management"]:
        return False
    read_only = by_field.get("readOnly", {})
    if read_only.get("Equals") == ["true"] or read_only.get("NotEquals") == ["false"]:
        return False
    source = by_field.get("eventSource", {})
    if "Equals" in source and SAGEMAKER not in source["Equals"]:
        return False
    return SAGEMAKER not in source.get("NotEquals", [])
