"""The step bundle of one use case: a zip that Python runs (``python3 bundle.zip <package>.<step> ...``).

SageMaker's processing jobs take one code file, and the steps need more than one (their package,
``pipelines/common`` and the contract, ``mlmeta_contract/``, shipped whole). Python runs a zip whose
root holds ``__main__.py``, and a CDK directory asset is uploaded as a zip, so the asset is laid out as::

    __main__.py                    <- pipelines/__main__.py (dispatches to <package>.<step>)
    pipelines/__init__.py
    pipelines/common/...           (metrics, tracking, the bundled sagemaker-metrics model)
    pipelines/<package>/...        (this use case's steps)
    mlmeta_contract/...            (the whole contract: naming, lake, events, handlers, resources)

and the pipeline definition names the asset's S3 URL as the processing steps' ``code``. Files are
copied by local bundling (no Docker) with a content hash, as for the Lambdas (stacks/common/runtime_code.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from aws_cdk import AssetHashType, BundlingOptions, Token
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from stacks.common.runtime_code import CONTRACT_DIR, EXCLUDED_DIRS, EXCLUDED_SUFFIXES, REPOSITORY_ROOT, UNUSED_IMAGE, CopyFiles, asset_hash

PIPELINES_DIR = "pipelines"
SHARED_DIRS = (f"{PIPELINES_DIR}/common", CONTRACT_DIR)
SINGLE_FILES = {
    "__main__.py": f"{PIPELINES_DIR}/__main__.py",
    f"{PIPELINES_DIR}/__init__.py": f"{PIPELINES_DIR}/__init__.py",
}
# Every use case's package has these step modules (the pipeline template runs them).
STEP_MODULES = ("preprocess", "evaluate")


class StepCodeError(ValueError):
    """A use case has no step code, or it is incomplete; the message names the missing file."""


def step_package(use_case: str) -> str:
    """The Python package of a use case's steps: ``churn-prediction`` -> ``churn_prediction``."""
    return use_case.replace("-", "_")


def bundle_files(package: str, *, root: Path = REPOSITORY_ROOT) -> dict[str, Path]:
    """Every file of the bundle, keyed by its path inside the zip, sorted."""
    package_dir = f"{PIPELINES_DIR}/{package}"
    missing = [f"{package_dir}/{module}.py" for module in STEP_MODULES if not (root / package_dir / f"{module}.py").is_file()]
    if missing:
        raise StepCodeError(f"no step code for package {package!r}: missing {', '.join(missing)}")
    files = {inside: root / source for inside, source in SINGLE_FILES.items()}
    for directory in (*SHARED_DIRS, package_dir):
        files.update({path.relative_to(root).as_posix(): path for path in _shipped(root / directory)})
    return dict(sorted(files.items()))


class StepCode(Construct):
    """The bundle as an S3 asset; ``object_key`` ends in .zip and is a literal (the definition embeds it)."""

    def __init__(self, scope: Construct, construct_id: str, *, package: str, root: Path = REPOSITORY_ROOT) -> None:
        super().__init__(scope, construct_id)
        files = bundle_files(package, root=root)
        self.files = files
        self.asset = s3_assets.Asset(
            self,
            "Bundle",
            path=str(root / PIPELINES_DIR / package),
            asset_hash=asset_hash(files),
            asset_hash_type=AssetHashType.CUSTOM,
            bundling=BundlingOptions(image=UNUSED_IMAGE, local=CopyFiles(files)),
        )
        if Token.is_unresolved(self.asset.s3_object_key) or not self.asset.s3_object_key.endswith(".zip"):
            raise StepCodeError(
                f"the step bundle's object key {self.asset.s3_object_key!r} must be a literal *.zip key "
                "(the stack's synthesizer must be the default one)"
            )
        self.object_key: str = self.asset.s3_object_key


def _shipped(directory: Path) -> Iterable[Path]:
    for path in sorted(directory.rglob("*")):
        parts = path.relative_to(directory).parts
        if path.is_dir() or path.suffix in EXCLUDED_SUFFIXES:
            continue
        if any(part in EXCLUDED_DIRS or part.startswith(".") for part in parts):
            continue
        yield path
