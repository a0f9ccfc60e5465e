"""What the Lambda handlers may import: the standard library, boto3/botocore, Powertools (and pydantic,
which its layer ships), the contract ``mlmeta_contract`` (every asset ships it whole), and the handler
packages themselves. Never pandas, duckdb, aws_cdk, sagemaker or anything of the ``mlmeta`` library: none
of it is in a Lambda asset or runtime.

One exception, for one function: the compactor (``lambdas/compactor/``, docs/compaction.md) runs with
AWS's SDK-for-pandas layer instead of Powertools, and its asset ships ``mlmeta/lake`` too, so it may import
pyarrow and the compaction modules of ``mlmeta.lake`` (``COMPACTOR_LAKE_MODULES``), and must not import
Powertools or pydantic.

Two checks: a static scan of every import statement under lambdas/, and a fresh interpreter that
imports each handler behind a meta-path finder refusing every other top-level package (which also
catches what the allowed modules import in turn)."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from runtime_world import HANDLER_ENV, HANDLER_PACKAGES

LAMBDAS = Path(__file__).resolve().parents[2] / "lambdas"
THIRD_PARTY = {"boto3", "botocore", "aws_lambda_powertools", "pydantic"}
OWN_PACKAGES = {path.name for path in LAMBDAS.iterdir() if (path / "__init__.py").is_file()}
CONTRACT = "mlmeta_contract"
COMPACTOR = "compactor"
# What the compactor's asset and layer hold beyond the stdlib, boto3, the contract and its own package.
COMPACTOR_THIRD_PARTY = {"boto3", "botocore", "pyarrow"}
COMPACTOR_LAKE_MODULES = {"object_store", "views", "parquet", "compaction_state", "compaction"}


def _import_problem(module: str, names: list[str], package: str | None = None) -> str | None:
    """Why importing ``names`` from ``module`` (or ``module`` itself when ``names`` is empty) into a file of
    the handler package ``package`` is not allowed."""
    if package == COMPACTOR:
        return _compactor_import_problem(module, names)
    top = module.split(".")[0]
    if top in sys.stdlib_module_names or top in THIRD_PARTY or top in OWN_PACKAGES or top in (CONTRACT, "__future__"):
        return None
    return f"imports {module}" + (f" ({', '.join(names)})" if names else "")


def _compactor_import_problem(module: str, names: list[str]) -> str | None:
    top = module.split(".")[0]
    if top in sys.stdlib_module_names or top in COMPACTOR_THIRD_PARTY or top in (COMPACTOR, CONTRACT, "__future__"):
        return None
    if module == "mlmeta.lake" and names and set(names) <= COMPACTOR_LAKE_MODULES:
        return None
    if module.startswith("mlmeta.lake.") and module.split(".")[2] in COMPACTOR_LAKE_MODULES:
        return None
    return f"imports {module}" + (f" ({', '.join(names)})" if names else "")


def test_every_import_under_lambdas_is_allowed():
    sources = sorted(LAMBDAS.rglob("*.py"))
    assert {p.parent.name for p in sources} >= set(HANDLER_PACKAGES) | {"mlmeta_runtime"}
    problems = []
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"), str(source))):
            package = source.relative_to(LAMBDAS).parts[0]
            if isinstance(node, ast.Import):
                found = [_import_problem(alias.name, [], package) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found = [_import_problem(node.module or "", [alias.name for alias in node.names], package)]
            else:
                continue
            problems += [f"{source.relative_to(LAMBDAS)}:{node.lineno} {p}" for p in found if p]
    assert problems == []


def test_the_scan_refuses_what_a_lambda_cannot_import():
    assert _import_problem("pandas", []) == "imports pandas"
    assert _import_problem("mlmeta.local.synthetic_lake", []) == "imports mlmeta.local.synthetic_lake"
    assert _import_problem("mlmeta.lake", ["synthetic"]) == "imports mlmeta.lake (synthetic)"
    assert _import_problem("mlmeta.queries.catalog", ["load_queries"]) is not None
    assert _import_problem("mlmeta_contract.naming.tags", ["TAG_NAMING"]) is None
    assert _import_problem("mlmeta_contract.lake", ["layout"]) is None
    # The library is in no event handler's asset, not even its lake modules (the contract has moved out).
    assert _import_problem("mlmeta.naming", []) == "imports mlmeta.naming"
    assert _import_problem("mlmeta.lake.views", []) == "imports mlmeta.lake.views"
    # pyarrow and the compaction modules are the compactor's alone; Powertools is everyone's but its.
    assert _import_problem("pyarrow", []) == "imports pyarrow"
    assert _import_problem("mlmeta.lake.compaction", ["compact"]) == "imports mlmeta.lake.compaction (compact)"
    assert _import_problem("pyarrow.parquet", [], COMPACTOR) is None
    assert _import_problem("mlmeta.lake.compaction", ["compact"], COMPACTOR) is None
    assert _import_problem("aws_lambda_powertools", [], COMPACTOR) == "imports aws_lambda_powertools"
    assert _import_problem("mlmeta.local.synthetic_lake", [], COMPACTOR) == "imports mlmeta.local.synthetic_lake"
    assert _import_problem("mlmeta_contract.naming", [], COMPACTOR) is None  # the contract ships whole
    assert _import_problem("mlmeta_contract.lake.schema", [], COMPACTOR) is None


_GUARDED_IMPORT = textwrap.dedent(
    """
    import importlib, importlib.abc, importlib.machinery, importlib.metadata as md, re, sys, sysconfig

    def closure(names):
        normal = lambda n: re.sub(r"[-_.]+", "-", n).lower()
        seen, todo = set(), [normal(n) for n in names]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for requirement in md.requires(name) or []:
                if "extra ==" not in requirement:
                    todo.append(normal(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)[0]))
        return seen

    dists = closure(sys.argv[3].split(","))
    allowed = {module for module, owners in md.packages_distributions().items()
               if any(re.sub(r"[-_.]+", "-", d).lower() in dists for d in owners)}
    allowed |= set(sys.stdlib_module_names) | set(sys.argv[2].split(","))
    library = set(sys.argv[4].split(","))  # the mlmeta library modules the asset ships, if any
    stdlib_dirs = tuple({sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib")})

    def in_stdlib(top):  # private stdlib modules that sys.stdlib_module_names leaves out (_sysconfigdata_*)
        spec = importlib.machinery.PathFinder.find_spec(top)
        origin = (spec and spec.origin) or ""
        return origin.startswith(stdlib_dirs) and "site-packages" not in origin

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            top = name.partition(".")[0]
            if top == "mlmeta":
                ok = name in library
            elif top == "mlmeta_contract":
                ok = True  # shipped whole
            else:
                ok = top in allowed or in_stdlib(top)
            if not ok:
                raise ModuleNotFoundError(f"not available in a Lambda: {name}", name=name)
            return None

    heavy = {"pandas", "duckdb", "aws_cdk", "sagemaker", "numpy", "pyarrow", "moto", "aws_lambda_powertools", "pydantic"}
    assert not heavy & set(sys.modules), heavy & set(sys.modules)
    sys.meta_path.insert(0, Refuse())
    for package in sys.argv[1].split(","):
        importlib.import_module(package + ".handler")
    print(sorted({m.partition(".")[0] for m in sys.modules} & heavy), sorted(m for m in sys.modules if m.partition(".")[0] in ("mlmeta", "mlmeta_contract")))
    """
)


def _guarded_import(packages: list[str], own: list[str], distributions: list[str], library: set[str], env: dict[str, str]):
    """Import each ``<package>.handler`` in a fresh interpreter that refuses everything else (of the
    ``mlmeta`` library, all but ``library``); return (heavy top-level modules imported, mlmeta and
    mlmeta_contract modules imported)."""
    done = subprocess.run(
        [sys.executable, "-c", _GUARDED_IMPORT, ",".join(packages), ",".join(sorted(own)), ",".join(distributions),
         ",".join(sorted(library)) or "-"],
        env={**env, "PYTHONPATH": str(LAMBDAS), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    heavy, mlmeta_modules = done.stdout.strip().split("] [")
    return ast.literal_eval(heavy + "]"), ast.literal_eval("[" + mlmeta_modules)


@pytest.mark.slow
def test_each_handler_imports_with_nothing_but_the_allowed_packages():
    own = sorted(OWN_PACKAGES - {COMPACTOR})
    heavy, mlmeta_modules = _guarded_import(
        list(HANDLER_PACKAGES), own, ["boto3", "botocore", "aws-lambda-powertools", "pydantic"], set(), HANDLER_ENV
    )
    assert set(heavy) <= {"aws_lambda_powertools", "pydantic"}
    assert all(m.partition(".")[0] == CONTRACT for m in mlmeta_modules)
    assert {"mlmeta_contract.naming", "mlmeta_contract.lake.layout"} <= set(mlmeta_modules)


@pytest.mark.slow
def test_the_compactor_imports_only_its_layer_and_the_compaction_modules():
    env = {"LAKE_BUCKET": "lake", "GLUE_DATABASE": "mlmeta_dev", "AWS_DEFAULT_REGION": "ap-northeast-1"}
    library = {"mlmeta", "mlmeta.lake", *(f"mlmeta.lake.{m}" for m in COMPACTOR_LAKE_MODULES)}
    heavy, mlmeta_modules = _guarded_import([COMPACTOR], [COMPACTOR], ["boto3", "botocore", "pyarrow", "numpy"], library, env)
    assert "pyarrow" in heavy and not {"aws_lambda_powertools", "pydantic", "pandas", "duckdb"} & set(heavy)
    assert {m for m in mlmeta_modules if m.startswith("mlmeta.")} <= library
    assert "mlmeta.lake.compaction" in mlmeta_modules


@pytest.mark.slow
def test_the_handlers_that_never_read_mlflow_do_not_load_its_client_at_cold_start():
    # The tagger and the naming guard only name the MLflow variables (the contract's handlers module):
    # the REST client (urllib.request and its dependencies) is the snapshotter's and the reconciler's.
    own = sorted(OWN_PACKAGES - {COMPACTOR})
    _, mlmeta_modules = _guarded_import(["tagger", "naming_guard"], own, ["boto3", "botocore", "aws-lambda-powertools", "pydantic"],
                                        set(), HANDLER_ENV)
    assert "mlmeta_contract.mlflow.backend" in mlmeta_modules
    assert "mlmeta_contract.mlflow.client" not in mlmeta_modules
