"""Lambda code assets without Docker: a handler directory under ``lambdas/`` plus the pure-stdlib
packages it imports (``mlmeta/naming`` by default), copied as they sit in the repository.

The asset mirrors the repository layout (``lambdas/<handler>/...``, ``mlmeta/naming/...``), so a handler
imports ``mlmeta.naming`` and ``lambdas.common`` the same way in the tests and in Lambda, and its
handler string is ``lambdas.<handler>.<module>.<function>``. Nothing is installed: third-party code
(Powertools, boto3) comes from the runtime and the pinned Powertools layer.

CDK runs the copy as *local bundling* (``ILocalBundling``); the Docker image named in the options is
never pulled. The asset hash is computed here from the selected files' paths and bytes (a custom
hash), so the same code gives the same hash on any machine and any change to a copied file, in the
handler or in a shared package, gives a new one.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
HANDLERS_DIR = "lambdas"
# Pure-stdlib packages every handler may import; a handler adds more with ``packages=``.
DEFAULT_PACKAGES: tuple[str, ...] = ("mlmeta/naming",)
# Never shipped: caches, compiled files, tests, editor and OS leftovers.
EXCLUDED_DIRS = frozenset({"__pycache__", "tests", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
# Bumped when the layout of the asset changes, so an old asset is never reused for a new layout.
LAYOUT_VERSION = "1"
# Local bundling only: CDK requires an image in BundlingOptions, but try_bundle always succeeds.
UNUSED_IMAGE = DockerImage.from_registry("unused-local-bundling-only")


class RuntimeCodeError(ValueError):
    """A handler or package to package does not exist or is not a directory under the repository."""


def lambda_code(
    handler: str, *, packages: Sequence[str] = DEFAULT_PACKAGES, root: Path = REPOSITORY_ROOT
) -> lambda_.Code:
    """The Code asset of ``lambdas/<handler>/`` plus ``packages`` (repository-relative directories)."""
    files = asset_files(handler, packages=packages, root=root)
    return lambda_.Code.from_asset(
        str(root / HANDLERS_DIR / handler),
        asset_hash=asset_hash(files),
        asset_hash_type=AssetHashType.CUSTOM,
        bundling=BundlingOptions(image=UNUSED_IMAGE, local=CopyFiles(files)),
    )


def handler_path(handler: str, module: str, function: str) -> str:
    """The Lambda ``handler`` setting for ``lambdas/<handler>/<module>.py:<function>``."""
    return f"{HANDLERS_DIR}.{handler}.{module}.{function}"


def asset_files(handler: str, *, packages: Sequence[str] = DEFAULT_PACKAGES, root: Path = REPOSITORY_ROOT) -> dict[str, Path]:
    """Every file of the asset, keyed by its POSIX path inside the asset, sorted."""
    directories = [f"{HANDLERS_DIR}/{handler}", *packages]
    files: dict[str, Path] = {}
    for directory in directories:
        source = (root / directory).resolve()
        if not source.is_relative_to(root.resolve()) or not source.is_dir():
            raise RuntimeCodeError(f"cannot package {directory!r}: no such directory under {root}")
        files.update(_package_inits(PurePosixPath(directory), root))
        files.update({_relative(path, root.resolve()): path for path in _shipped_files(source)})
    return dict(sorted(files.items()))


def asset_hash(files: Mapping[str, Path]) -> str:
    """SHA-256 over the layout version and each file's asset path and bytes, in path order."""
    digest = hashlib.sha256(f"mlmeta-lambda-asset-{LAYOUT_VERSION}\n".encode())
    for relative, path in sorted(files.items()):
        data = path.read_bytes()
        digest.update(f"{relative}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def copy_files(files: Mapping[str, Path], output_dir: Path) -> None:
    for relative, path in files.items():
        target = output_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        # copyfile, not copy2: no timestamps or modes from the checkout end up in the asset.
        shutil.copyfile(path, target)


@jsii.implements(ILocalBundling)
class CopyFiles:
    """Local bundling that copies a fixed file list into the asset directory."""

    def __init__(self, files: Mapping[str, Path]) -> None:
        self._files = dict(files)

    # jsii passes the BundlingOptions as one positional argument; nothing in them matters here.
    def try_bundle(self, output_dir: str, _options: object = None) -> bool:
        copy_files(self._files, Path(output_dir))
        return True


def _shipped_files(directory: Path) -> Iterable[Path]:
    for path in sorted(directory.rglob("*")):
        relative_parts = path.relative_to(directory).parts
        if path.is_dir() or any(part in EXCLUDED_DIRS or part.startswith(".") for part in relative_parts):
            continue
        if path.suffix in EXCLUDED_SUFFIXES or path.name.startswith("test_"):
            continue
        yield path


def _package_inits(directory: PurePosixPath, root: Path) -> dict[str, Path]:
    """The ``__init__.py`` of each parent package (``mlmeta/__init__.py`` for ``mlmeta/naming``), if any,
    so the parents are regular packages in the asset as in the repository."""
    inits = {}
    for parent in directory.parents:
        if parent == PurePosixPath("."):
            continue
        init = root / parent / "__init__.py"
        if init.is_file():
            inits[f"{parent}/__init__.py"] = init
    return inits


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()
