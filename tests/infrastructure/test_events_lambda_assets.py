"""The event handlers' code assets (stacks/events/handler_function.py, stacks/common/runtime_code.py): one asset
per function holding its handler package, what it imports (mlmeta_runtime, the reconciler's reuse of the
snapshotter and the guard, the whole mlmeta_contract) and nothing else, no mlmeta library code; every
import resolves inside it or in the Lambda runtime; the same asset in every environment."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from lambda_imports import contract_files, missing_imports

from mlmeta.events.handlers import HANDLERS, HANDLERS_BY_NAME
from stacks.events.handler_function import code_packages
from stacks.common.runtime_code import REPOSITORY_ROOT, asset_files


def files_of(spec) -> dict[str, Path]:
    return asset_files(spec.package, packages=code_packages(spec))


def top_levels(files) -> set[str]:
    return {name.split("/")[0] for name in files}


@pytest.mark.parametrize("spec", HANDLERS, ids=lambda spec: spec.name)
def test_every_import_of_the_handler_resolves_in_its_asset_or_the_runtime(spec):
    assert missing_imports(files_of(spec)) == []


@pytest.mark.parametrize(
    ("handler", "packages"),
    [
        ("tagger", {"tagger", "mlmeta_runtime", "mlmeta_contract"}),
        ("naming-guard", {"naming_guard", "mlmeta_runtime", "mlmeta_contract"}),
        ("snapshotter", {"snapshotter", "mlmeta_runtime", "mlmeta_contract"}),
        ("reconciler", {"reconciler", "snapshotter", "naming_guard", "mlmeta_runtime", "mlmeta_contract"}),
    ],
)
def test_each_asset_holds_only_what_its_handler_imports(handler, packages):
    files = files_of(HANDLERS_BY_NAME[handler])

    assert top_levels(files) == packages
    assert f"{HANDLERS_BY_NAME[handler].package}/handler.py" in files
    contract = contract_files()
    assert {f for f in files if f.startswith("mlmeta_contract/")} == contract  # the whole contract, listed nowhere
    assert {"mlmeta_contract/naming/__init__.py", "mlmeta_contract/lake/layout.py"} <= contract


def test_without_the_runtime_package_imports_would_be_missing():
    # The check above is not vacuous: the handler imports mlmeta_runtime by its top-level name.
    files = asset_files("tagger")
    assert any(problem.endswith(": mlmeta_runtime.settings") for problem in missing_imports(files))


def test_the_synthesized_assets_are_these_files_and_the_same_in_every_environment(synthesized):
    hashes: dict[str, set[str]] = {spec.name: set() for spec in HANDLERS}
    for env_name in ("dev", "prod"):
        env_app = synthesized(env_name)
        directory = Path(env_app.assembly.directory)
        functions = env_app.resources(env_app.stacks.events, "AWS::Lambda::Function").values()
        for spec in HANDLERS:
            (function,) = [f for f in functions if f["Properties"]["Handler"] == f"{spec.package}.handler.lambda_handler"]
            asset_hash = function["Properties"]["Code"]["S3Key"].removesuffix(".zip")
            asset = directory / f"asset.{asset_hash}"
            assert sorted(p.relative_to(asset).as_posix() for p in asset.rglob("*") if p.is_file()) == list(files_of(spec))
            hashes[spec.name].add(asset_hash)
    assert all(len(found) == 1 for found in hashes.values()), hashes


def test_no_handler_package_is_imported_under_two_names():
    """Handlers and their tests import ``tagger.handler``, never ``lambdas.tagger.handler`` (two module
    objects with separate settings and clients)."""
    problems = []
    for root in ("mlmeta", "stacks", "tests", "lambdas"):
        for path in sorted((REPOSITORY_ROOT / root).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"lambdas(\.\w+)+", node.value):
                    names = [node.value]
                problems += [f"{path.relative_to(REPOSITORY_ROOT)}: {n}" for n in names if n == "lambdas" or n.startswith("lambdas.")]
    assert problems == []
