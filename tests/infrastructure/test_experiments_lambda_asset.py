"""Lambda code without Docker (stacks/common/runtime_code.py): the asset holds the handler, the contract
(``mlmeta_contract/`` whole) and the directories it imports, nothing else, and its hash depends only on
those files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_

from lambda_imports import contract_files, missing_imports

from stacks.common.runtime_code import RuntimeCodeError, asset_files, asset_hash, handler_path, lambda_code

HANDLER = "experiment_provisioner"


def test_the_provisioner_asset_is_its_handler_and_the_whole_contract():
    files = asset_files(HANDLER)

    assert set(files) == {"experiment_provisioner/__init__.py", "experiment_provisioner/handler.py", *contract_files()}
    assert {"mlmeta_contract/naming/__init__.py", "mlmeta_contract/lake/schema.py"} <= set(files)
    assert list(files) == sorted(files)


@pytest.fixture
def fake_repository(tmp_path) -> Path:
    """lambdas/h/, lambdas/common/, pkg/sub/ and the contract with the clutter a checkout accumulates."""
    for relative in (
        "mlmeta_contract/__init__.py",
        "mlmeta_contract/naming/__init__.py",
        "mlmeta_contract/naming/__pycache__/x.cpython-313.pyc",
        "lambdas/h/__init__.py",
        "lambdas/h/app.py",
        "lambdas/h/schema.json",
        "lambdas/h/__pycache__/app.cpython-311.pyc",
        "lambdas/h/tests/test_app.py",
        "lambdas/h/test_local.py",
        "lambdas/h/.env",
        "lambdas/other/app.py",
        "lambdas/common/__init__.py",
        "lambdas/common/util.py",
        "pkg/__init__.py",
        "pkg/unrelated.py",
        "pkg/sub/__init__.py",
        "pkg/sub/mod.py",
        "pkg/sub/mod.pyc",
        "pkg/sub/.pytest_cache/v",
    ):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {relative}\n")
    return tmp_path


def test_only_shipped_files_are_packaged_with_their_parent_packages(fake_repository):
    files = asset_files("h", packages=("common",), shared=("pkg/sub",), root=fake_repository)

    assert list(files) == [
        "common/__init__.py",  # lambdas/ packages at the top level: the handler imports them as `common`
        "common/util.py",
        "h/__init__.py",
        "h/app.py",
        "h/schema.json",
        "mlmeta_contract/__init__.py",  # every asset ships the contract whole
        "mlmeta_contract/naming/__init__.py",
        "pkg/__init__.py",  # so pkg is a regular package in the asset, as in the repository
        "pkg/sub/__init__.py",
        "pkg/sub/mod.py",
    ]


def test_a_module_added_to_the_contract_is_shipped_without_being_listed(fake_repository):
    (fake_repository / "mlmeta_contract/events.py").write_text("# new\n")

    assert "mlmeta_contract/events.py" in asset_files("h", root=fake_repository)


def test_the_hash_depends_on_the_files_only(fake_repository, tmp_path_factory):
    copy = tmp_path_factory.mktemp("elsewhere") / "checkout"
    shutil.copytree(fake_repository, copy)
    original = asset_hash(asset_files("h", shared=("pkg/sub",), root=fake_repository))

    assert asset_hash(asset_files("h", shared=("pkg/sub",), root=copy)) == original  # another machine, same code
    (copy / "lambdas/h/__pycache__/app.cpython-311.pyc").write_text("recompiled")
    assert asset_hash(asset_files("h", shared=("pkg/sub",), root=copy)) == original  # clutter does not count
    (copy / "pkg/sub/mod.py").write_text("# changed\n")
    assert asset_hash(asset_files("h", shared=("pkg/sub",), root=copy)) != original  # a shared package does
    (copy / "pkg/sub/mod.py").rename(copy / "pkg/sub/renamed.py")
    assert asset_hash(asset_files("h", shared=("pkg/sub",), root=copy)) != original


@pytest.mark.parametrize(
    ("handler", "packages", "shared"),
    [
        ("missing", (), ()),
        ("h", ("nope",), ()),
        ("h", (), ("pkg/nope",)),
        ("h", (), ("../outside",)),
        ("h", (), ("pkg/sub/.pytest_cache",)),
        ("h", (), ("pkg/sub/mod.py",)),  # directories, not file lists
    ],
)
def test_a_missing_outside_excluded_or_single_file_path_is_refused(fake_repository, handler, packages, shared):
    with pytest.raises(RuntimeCodeError, match="cannot package"):
        asset_files(handler, packages=packages, shared=shared, root=fake_repository)


def _synthesized_asset(root: Path, outdir: Path) -> Path:
    app = App(outdir=str(outdir))
    lambda_.Function(
        Stack(app, "Probe"), "Fn", code=lambda_code("h", shared=("pkg/sub",), root=root),
        handler=handler_path("h", "app", "handler"), runtime=lambda_.Runtime.PYTHON_3_14,
    )
    (asset,) = Path(app.synth().directory).glob("asset.*")
    return asset


def test_cdk_bundles_locally_and_rehashes_when_a_shared_package_changes(fake_repository, tmp_path_factory):
    first = _synthesized_asset(fake_repository, tmp_path_factory.mktemp("out"))
    again = _synthesized_asset(fake_repository, tmp_path_factory.mktemp("out"))
    (fake_repository / "pkg/sub/mod.py").write_text("# changed\n")
    changed = _synthesized_asset(fake_repository, tmp_path_factory.mktemp("out"))

    assert sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file()) == list(
        asset_files("h", shared=("pkg/sub",), root=fake_repository)
    )
    assert first.name == again.name
    assert changed.name != first.name


def test_the_synthesized_provisioner_asset_is_the_same_in_every_environment(synthesized):
    assets = set()
    for env_name in ("dev", "prod"):
        env_app = synthesized(env_name)
        directory = Path(env_app.assembly.directory)
        (asset,) = [d for d in directory.glob("asset.*") if (d / HANDLER).is_dir()]
        assert sorted(p.relative_to(asset).as_posix() for p in asset.rglob("*") if p.is_file()) == list(asset_files(HANDLER))
        assets.add(asset.name)
    assert len(assets) == 1


def test_everything_the_handler_imports_is_in_the_asset_or_the_runtime():
    assert missing_imports(asset_files(HANDLER)) == []


def test_the_import_check_catches_a_module_left_out(fake_repository):
    (fake_repository / "lambdas/h/app.py").write_text(
        "import json\nimport boto3\nfrom pkg.sub import mod\nimport pkg.nowhere\nfrom common import util\nimport other.app\n"
    )
    (fake_repository / "pkg/sub/mod.py").write_text("from .. import unrelated\n")

    assert missing_imports(asset_files("h", packages=("common",), shared=("pkg/sub",), root=fake_repository), fake_repository) == [
        "h/app.py: pkg.nowhere",
        "h/app.py: other.app",  # a lambdas/ package the asset does not hold
        "pkg/sub/mod.py: pkg.unrelated",  # in the repository, not in the asset
    ]
