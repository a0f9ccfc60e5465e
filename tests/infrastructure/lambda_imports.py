"""Does a Lambda asset hold everything its code imports? A static check over the asset's files."""

from __future__ import annotations

import ast
import sys
from collections.abc import Mapping
from pathlib import Path

from stacks.common.runtime_code import CONTRACT_DIR, HANDLERS_DIR, REPOSITORY_ROOT

# What the Lambda runtime (boto3, botocore) and the Powertools layer (with pydantic) provide;
# everything else must be in the asset.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "aws_lambda_powertools", "pydantic"})
# The compactor (docs/compaction.md) runs with AWS's SDK-for-pandas layer instead of Powertools.
PANDAS_LAYER_PROVIDED = frozenset({"boto3", "botocore", "pyarrow", "numpy", "pandas"})


def contract_files(root: Path = REPOSITORY_ROOT) -> set[str]:
    """Every module of the contract, as asset paths: what every asset must hold, listed nowhere else."""
    return {p.relative_to(root).as_posix() for p in (root / CONTRACT_DIR).rglob("*.py") if "__pycache__" not in p.parts}


def missing_imports(files: Mapping[str, Path], root: Path = REPOSITORY_ROOT, provided: frozenset[str] = RUNTIME_PROVIDED) -> list[str]:
    """``file: module`` for each import that neither the asset, the stdlib nor the runtime provides,
    including ``from package import submodule`` where the submodule exists only in the repository.
    Relative imports are resolved against the importing file's package."""
    shipped = {f.removesuffix(".py").removesuffix("/__init__").replace("/", ".") for f in files if f.endswith(".py")}

    def in_repository(module: str) -> bool:
        relative = module.replace(".", "/")
        return any(
            (base / relative).with_suffix(".py").is_file() or (base / relative / "__init__.py").is_file()
            for base in (root, root / HANDLERS_DIR)
        )

    missing = []
    for relative, path in files.items():
        if not relative.endswith(".py"):
            continue
        package = relative.split("/")[:-1]
        for node in ast.walk(ast.parse(path.read_text(), relative)):
            if isinstance(node, ast.Import):
                modules, submodules = [alias.name for alias in node.names], []
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join([*base, *([node.module] if node.module else [])])
                modules, submodules = [module], [f"{module}.{alias.name}" for alias in node.names]
            else:
                continue
            for module in modules + [m for m in submodules if in_repository(m)]:
                top = module.split(".")[0]
                available = top in sys.stdlib_module_names or top in provided or top == "__future__"
                if not available and module not in shipped:
                    missing.append(f"{relative}: {module}")
    return missing
