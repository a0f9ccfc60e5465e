"""docs/handlers.md is what the events stack is built from: it must name every environment variable the
handlers read, every handler entry point, and only test files that exist."""

from __future__ import annotations

import re
from pathlib import Path

from mlmeta_contract.naming import CONVENTION_ENV_VAR
from mlmeta_runtime import settings
from runtime_world import HANDLER_PACKAGES

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "handlers.md").read_text(encoding="utf-8")


def test_every_environment_variable_is_documented_in_the_table():
    variables = {value for name, value in vars(settings).items() if name.isupper() and isinstance(value, str) and value.isupper()}
    variables |= {CONVENTION_ENV_VAR, "POWERTOOLS_SERVICE_NAME"}
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", DOC, flags=re.M))
    assert variables <= documented, sorted(variables - documented)


def test_every_handler_entry_point_is_documented_and_exists(handlers):
    for package in HANDLER_PACKAGES:
        assert f"`{package}.handler.lambda_handler`" in DOC
        assert callable(handlers[package].lambda_handler)


def test_the_test_files_the_doc_names_exist():
    named = set(re.findall(r"\b(test_[a-z_]+)\b", DOC))
    assert named and all((ROOT / "tests" / "runtime" / f"{name}.py").is_file() for name in named), named
