"""Lambda code assets without Docker: a handler package from ``lambdas/``, the other ``lambdas/`` packages
it imports, the contract package ``mlmeta_contract/`` whole, and any other repository directories it
imports (the compactor: ``mlmeta/lake``), copied as they are.

Layout of an asset (the Lambda task root):

- each ``lambdas/<package>/`` at the top level (``tagger/``, ``mlmeta_runtime/``, ...), because the
  handlers import each other by top-level name (``from mlmeta_runtime.events import ...``), exactly as
  the tests do with ``lambdas`` on the path; the handler setting is ``<package>.<module>.<function>``;
- ``mlmeta_contract/`` and each shared directory (such as ``mlmeta/lake``) whole, at its repository
  path, with the ``__init__.py`` of its parent packages (``mlmeta/__init__.py``), so
  ``import mlmeta_contract.naming`` works the same in the tests and in Lambda. Directories, not file
  lists: a module added to the contract is shipped without anyone listing it.

Nothing is installed: third-party code (Powertools, pydantic, boto3) comes from the runtime and the
pinned Powertools layer. CDK runs the copy as *local bundling* (``ILocalBundling``); the Docker image
named in the options is never pulled. The asset hash is computed here from the selected files' asset
paths and bytes (a custom hash), so the same code gives the same hash on any machine, and any change
to a shipped file, in the handler or in shared code, gives a new one.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
HANDLERS_DIR = "lambdas"
# The contract every asset ships whole (pure stdlib); a handler adds more directories with ``shared=``.
CONTRACT_DIR = "mlmeta_contract"
# Never shipped: caches, compiled files, tests, editor and OS leftovers.
EXCLUDED_DIRS = frozenset({"__pycache__", "tests", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
# Bumped when the layout of the asset changes without changing the files' asset paths (which the hash
# covers anyway), so an old asset is never reused for a new layout.
LAYOUT_VERSION = "2"
# Local bundling only: CDK requires an image in BundlingOptions, but try_bundle always succeeds.
UNUSED_IMAGE = DockerImage.from_registry("unused-local-bundling-only")


class RuntimeCodeError(ValueError):
    """A package or shared directory to package does not exist under the repository."""


def lambda_code(
    handler: str,
    *,
    packages: Sequence[str] = (),
    shared: Sequence[str] = (),
    root: Path = REPOSITORY_ROOT,
) -> lambda_.Code:
    """The Code asset of ``lambdas/<handler>/`` plus the ``lambdas/`` ``packages``, the contract and the
    ``shared`` directories."""
    files = asset_files(handler, packages=packages, shared=shared, root=root)
    return lambda_.Code.from_asset(
        str(root / HANDLERS_DIR / handler),
        asset_hash=asset_hash(files),
        asset_hash_type=AssetHashType.CUSTOM,
        bundling=BundlingOptions(image=UNUSED_IMAGE, local=CopyFiles(files)),
    )


def handler_path(handler: str, module: str, function: str) -> str:
    """The Lambda ``handler`` setting for ``lambdas/<handler>/<module>.py:<function>``."""
    return f"{handler}.{module}.{function}"


def asset_files(
    handler: str,
    *,
    packages: Sequence[str] = (),
    shared: Sequence[str] = (),
    root: Path = REPOSITORY_ROOT,
) -> dict[str, Path]:
    """Every file of the asset, keyed by its POSIX path inside the asset, sorted."""
    root = root.resolve()
    files: dict[str, Path] = {}
    for package in dict.fromkeys((handler, *packages)):
        source = _existing(root, f"{HANDLERS_DIR}/{package}")
        files.update({f"{package}/{_relative(path, source)}": path for path in _shipped_files(source)})
    for path in dict.fromkeys((CONTRACT_DIR, *shared)):
        source = _existing(root, path)
        files.update(_package_inits(PurePosixPath(path), root))
        files.update({_relative(file, root): file for file in _shipped_files(source)})
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


def _existing(root: Path, relative: str) -> Path:
    """``root/relative``, which must be a directory inside ``root``."""
    source = (root / relative).resolve()
    if not source.is_relative_to(root) or not source.is_dir() or _excluded(PurePosixPath(relative)):
        raise RuntimeCodeError(f"cannot package {relative!r}: no such directory under {root} (assets ship directories, not files)")
    return source


def _shipped_files(directory: Path) -> Iterable[Path]:
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not _excluded(PurePosixPath(path.relative_to(directory).as_posix())):
            yield path


def _excluded(relative: PurePosixPath) -> bool:
    if any(part in EXCLUDED_DIRS or part.startswith(".") for part in relative.parts):
        return True
    return relative.suffix in EXCLUDED_SUFFIXES or relative.name.startswith("test_")


def _package_inits(path: PurePosixPath, root: Path) -> dict[str, Path]:
    """The ``__init__.py`` of each parent package (``mlmeta/__init__.py`` for ``mlmeta_contract/naming``), if any,
    so the parents are regular packages in the asset as in the repository."""
    inits = {}
    for parent in path.parents:
        if parent == PurePosixPath("."):
            continue
        init = root / parent / "__init__.py"
        if init.is_file():
            inits[f"{parent}/__init__.py"] = init
    return inits


def _relative(path: Path, base: Path) -> str:
    return path.relative_to(base).as_posix()
