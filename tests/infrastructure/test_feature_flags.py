"""The CDK feature flags live in code and match what the pinned CLI recommends for new projects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stacks.feature_flags import FEATURE_FLAGS

CLI_TEMPLATES = Path(__file__).resolve().parents[2] / "node_modules/aws-cdk/lib/init-templates"
RECOMMENDED = CLI_TEMPLATES / ".recommended-feature-flags.json"


def test_flags_are_the_pinned_cli_recommendation():
    if not RECOMMENDED.exists():
        pytest.skip("node_modules not installed (make install)")
    # Fails after a CLI upgrade that recommends new flags: review them, then copy them into feature_flags.py.
    assert FEATURE_FLAGS == json.loads(RECOMMENDED.read_text())

