"""Synthesized mlmeta apps, one per environment, shared by the whole session (a synth costs seconds)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cdk_synth import SynthesizedApp, synthesize

from mlmeta.config import ENVIRONMENTS, get_environment
from mlmeta.queries.catalog import load_queries

ENV_NAMES = tuple(ENVIRONMENTS)


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory) -> Callable[[str], SynthesizedApp]:
    """``synthesized("prod")``: that environment's app with the checkout's mlmeta/queries/sql/*.sql, synthesized once."""
    cache: dict[str, SynthesizedApp] = {}

    def get(env_name: str) -> SynthesizedApp:
        if env_name not in cache:
            queries = list(load_queries().values())
            cache[env_name] = synthesize(get_environment(env_name), queries, tmp_path_factory.mktemp(f"cdk-{env_name}"))
        return cache[env_name]

    return get


@pytest.fixture(params=ENV_NAMES)
def env_app(request, synthesized) -> SynthesizedApp:
    """Each environment in turn."""
    return synthesized(request.param)


def pytest_collection_modifyitems(items):
    for item in items:
        if "synthesized" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
