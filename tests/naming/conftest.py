"""Fixtures of the naming tests."""

from __future__ import annotations

import json

import pytest

from naming_fixtures import CUSTOM_CONVENTION_DOC


@pytest.fixture
def custom_convention_file(tmp_path):
    path = tmp_path / "naming.json"
    path.write_text(json.dumps(CUSTOM_CONVENTION_DOC), encoding="utf-8")
    return path
