"""Which event selectors log the write management events the naming guard needs (classic and advanced)."""

from __future__ import annotations

import pytest

from mlmeta.doctor.trail_selectors import logs_write_management_events


def classic(**selector):
    return {"EventSelectors": [selector], "AdvancedEventSelectors": []}


def advanced(*fields):
    return {"AdvancedEventSelectors": [{"Name": "management", "FieldSelectors": list(fields)}]}


MANAGEMENT = {"Field": "eventCategory", "Equals": ["Management"]}


@pytest.mark.parametrize(
    ("selectors", "logs"),
    [
        (classic(ReadWriteType="All", IncludeManagementEvents=True), True),
        (classic(ReadWriteType="WriteOnly", IncludeManagementEvents=True), True),
        (classic(ReadWriteType="ReadOnly", IncludeManagementEvents=True), False),
        (classic(ReadWriteType="All", IncludeManagementEvents=False), False),
        (classic(), True),  # AWS's defaults: management events, reads and writes
        (advanced(MANAGEMENT), True),
        (advanced(MANAGEMENT, {"Field": "readOnly", "Equals": ["false"]}), True),
        (advanced(MANAGEMENT, {"Field": "readOnly", "Equals": ["true"]}), False),
        (advanced(MANAGEMENT, {"Field": "readOnly", "NotEquals": ["false"]}), False),
        (advanced(MANAGEMENT, {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]}), True),
        (advanced(MANAGEMENT, {"Field": "eventSource", "NotEquals": ["sagemaker.amazonaws.com"]}), False),
        (advanced({"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}), False),
        ({"EventSelectors": [], "AdvancedEventSelectors": []}, False),
        ({}, False),
    ],
    ids=lambda value: None if isinstance(value, bool) else "",
)
def test_selectors(selectors, logs):
    assert logs_write_management_events(selectors) is logs


def test_one_selector_that_logs_writes_is_enough():
    selectors = {
        "AdvancedEventSelectors": [
            {"Name": "s3 data", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}]},
            {"Name": "management", "FieldSelectors": [MANAGEMENT]},
        ]
    }
    assert logs_write_management_events(selectors)
