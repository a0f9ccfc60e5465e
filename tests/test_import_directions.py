"""Who may import whom across the repository's packages (docs/architecture.md, "Import directions").

Each package runs somewhere else (synth, Lambda, a pipeline step, a laptop), and a Lambda or a step gets
only the files its asset ships, so an import across the wrong line breaks in AWS, not in the tests. This
scans every ``.py`` file under the packages with ``ast`` (new files are picked up on their own) and
checks each repository-internal import against ``ALLOWED``. Beyond ``import`` statements it counts the
imports the code does by name: a module name given as a literal to ``checkout_module`` or
``importlib.import_module``, and a path literal ``"lambdas"`` (the handler code loaded from the checkout).

Where an import crosses a line today, it is a known debt, listed in ``EXCEPTIONS`` with its reason (and
in docs/architecture.md); an exception that no longer matches anything must be removed, so the list
stays true. Which third-party and ``mlmeta`` modules a Lambda handler may import exactly is
tests/runtime/test_handler_imports.py's job; here only the direction between packages.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("mlmeta_contract", "mlmeta", "lambdas", "stacks", "pipelines", "bench", "tests")
TOP_LEVEL_FILES = ("app.py",)
# The handler packages sit at the top level of a Lambda asset (and of the tests' path): ``mlmeta_runtime``,
# ``tagger``, ... are imported by those names and stand here for ``lambdas.<name>``.
HANDLER_PACKAGES = frozenset(p.name for p in (ROOT / "lambdas").iterdir() if (p / "__init__.py").is_file())
MLMETA_SUBPACKAGES = frozenset(p.name for p in (ROOT / "mlmeta").iterdir() if (p / "__init__.py").is_file())
# The CDK: synth-time only, so only the code that runs at synth (and its tests) may import it.
CDK_MODULES = frozenset({"aws_cdk", "constructs", "cdk_nag", "jsii"})
DYNAMIC_IMPORTERS = frozenset({"checkout_module", "import_module"})

# Source area (most specific prefix wins) -> the repository areas it may import. Its own area is always
# allowed. ``tests`` may import everything.
ALLOWED: dict[str, tuple[str, ...]] = {
    # The contract, shipped whole into every Lambda asset and the pipeline's step bundle: only itself.
    "mlmeta_contract": (),
    # The MLflow backend's names are the convention's (mlmeta_contract.naming, shipped beside it).
    "mlmeta_contract.mlflow": ("mlmeta_contract.naming",),
    # Shipped into the compactor's asset (with the contract).
    "mlmeta.lake": ("mlmeta_contract",),
    # Read by every other part of the library; depends on none of them.
    "mlmeta.config": ("mlmeta_contract",),
    # The library and CLI (laptop, notebook, CI): only itself. ``mlmeta.cli`` is checked apart below.
    "mlmeta": ("mlmeta", "mlmeta_contract"),
    # Lambda: the handler packages and the contract every asset ships (stacks/common/runtime_code.py).
    "lambdas": ("lambdas", "mlmeta_contract"),
    # A SageMaker processing job: the step bundle holds pipelines/ and the contract (stacks/pipeline/step_code.py).
    "pipelines": ("pipelines", "mlmeta_contract"),
    # The local harness (laptop only): the rest of mlmeta; who may import it is checked apart below.
    "mlmeta.local": ("mlmeta", "mlmeta_contract"),
    # Synth, from the checkout: the library, and the step code it bundles into the pipeline's asset and
    # whose constants (the evaluation step's name, its report's path) the definition names.
    "stacks": ("stacks", "mlmeta", "mlmeta_contract", "pipelines"),
    "app": ("mlmeta", "mlmeta_contract", "stacks"),
    # Laptop: measures the library and runs the handlers in-process.
    "bench": ("bench", "mlmeta", "mlmeta_contract", "lambdas"),
    "tests": ("mlmeta", "mlmeta_contract", "lambdas", "stacks", "pipelines", "bench", "tests", "app"),
}
CDK_ALLOWED = ("stacks", "app", "tests")
# Handler packages whose asset ships more than the others': the compactor's holds mlmeta/lake
# (stacks/compaction/compactor.py).
HANDLER_EXTRAS: dict[str, tuple[str, ...]] = {"compactor": ("mlmeta.lake",)}
# moto, the embedded AWS: the local harness's alone (and of what tests and measures it).
MOTO_ALLOWED = ("mlmeta.local", "tests", "bench")
# The local harness: its own, the command line's (lazily, tests/cli/test_lazy_imports.py), the tests'
# and the benchmarks'. The library (analytics, queries, lake, naming, charts, config), the stacks, the
# handlers and the steps never import it.
LOCAL_HARNESS_IMPORTERS = ("mlmeta.local", "mlmeta.cli", "tests", "bench")


@dataclass(frozen=True)
class AllowedException:
    source: str  # repository path of the importing file
    target: str  # the imported area or module prefix
    reason: str


# Known debts (docs/architecture.md, "Known debts"): each works only from a checkout of the repository.
EXCEPTIONS = (
    AllowedException(
        "mlmeta/local/demo/sagemaker_state.py",
        "pipelines.common",
        "the demo plays the evaluate step by running its tracking code (SageMaker's or MLflow's) from the checkout",
    ),
    AllowedException(
        "mlmeta/local/demo/deploy.py",
        "stacks.experiments.specs",
        "the demo creates the experiments stack's experiments from its specs, loaded from the checkout",
    ),
    AllowedException(
        "mlmeta/local/rehearsal/synth.py",
        "stacks.mlmeta_app",
        "mlmeta rehearse synthesizes the stacks in-process when no --assembly is given",
    ),
    AllowedException(
        "mlmeta/local/handler_loader.py",
        "lambdas",
        "mlmeta replay, the demo and the rehearsal run the real handler code from the checkout's lambdas/",
    ),
)


@dataclass(frozen=True)
class Import:
    source: str  # repository path
    line: int
    module: str  # dotted, handler packages as lambdas.<name>


def _python_files() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))
    for name in TOP_LEVEL_FILES:
        yield ROOT / name


def _source_area(relative: str) -> str:
    parts = Path(relative).with_suffix("").parts
    if parts[0] == "mlmeta" and len(parts) > 2 and parts[1] in MLMETA_SUBPACKAGES:
        return f"mlmeta.{parts[1]}"
    if parts[0] == "mlmeta_contract" and len(parts) > 2 and (ROOT / parts[0] / parts[1] / "__init__.py").is_file():
        return f"mlmeta_contract.{parts[1]}"
    return parts[0]


def _qualified(module: str) -> str:
    """``module`` with a handler package prefixed by ``lambdas.``; other names as they are."""
    return f"lambdas.{module}" if module.partition(".")[0] in HANDLER_PACKAGES else module


def _imports(path: Path) -> Iterator[Import]:
    relative = path.relative_to(ROOT).as_posix()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), relative)):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from mlmeta import config`` imports mlmeta.config.
            if node.module == "mlmeta":
                modules = [f"mlmeta.{a.name}" if a.name in MLMETA_SUBPACKAGES else "mlmeta" for a in node.names]
            else:
                modules = [node.module]
        elif isinstance(node, ast.Call) and node.args and _called_name(node.func) in DYNAMIC_IMPORTERS:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                modules = [first.value]
        elif isinstance(node, ast.Constant) and node.value == "lambdas" and relative.startswith("mlmeta/"):
            modules = ["lambdas"]
        for module in modules:
            yield Import(relative, node.lineno, _qualified(module))


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _repository_area(module: str) -> str | None:
    """The repository area of ``module``, or None for the standard library and third-party packages."""
    top = module.partition(".")[0]
    if top in PACKAGES:
        return module
    return "app" if module == "app" else None


def _allowed(source_area: str) -> tuple[str, ...]:
    key = max((k for k in ALLOWED if _within(source_area, k)), key=len)
    return (source_area, *ALLOWED[key])


def _allowed_for(source: str) -> tuple[str, ...]:
    """What the file ``source`` may import: its area's row, plus its handler package's extras."""
    parts = Path(source).parts
    extras = HANDLER_EXTRAS.get(parts[1], ()) if parts[0] == "lambdas" and len(parts) > 2 else ()
    return (*_allowed(_source_area(source)), *extras)


def _exception_for(found: Import) -> AllowedException | None:
    return next((e for e in EXCEPTIONS if e.source == found.source and _within(found.module, e.target)), None)


def _all_imports() -> list[Import]:
    return [found for path in _python_files() for found in _imports(path)]


def _imports_outside(imported: Callable[[str], bool], areas: Sequence[str]) -> list[str]:
    """Each import of a module ``imported`` accepts by a file outside ``areas``, as ``source:line imports module``."""
    return [
        f"{f.source}:{f.line} imports {f.module}"
        for f in _all_imports()
        if imported(f.module) and not any(_within(_source_area(f.source), area) for area in areas)
    ]


def _crossings() -> list[Import]:
    """Every repository-internal import its source's area may not make."""
    crossings = []
    for found in _all_imports():
        if _repository_area(found.module) is None:
            continue
        if not any(_within(found.module, allowed) for allowed in _allowed_for(found.source)):
            crossings.append(found)
    return crossings


def test_the_scan_sees_every_package():
    sources = {_source_area(found.source) for found in _all_imports()}
    assert {"mlmeta_contract", "mlmeta.lake", "mlmeta.cli", "lambdas", "stacks", "pipelines", "bench", "tests", "app"} <= sources
    # A handler package import is recognised as lambdas/, both static and by name.
    assert any(f.source.startswith("lambdas/") and _within(f.module, _qualified("mlmeta_runtime")) for f in _all_imports())
    assert any(f.module == "stacks.mlmeta_app" and f.source.startswith("mlmeta/") for f in _all_imports())
    # Third-party imports are seen too, lazy ones in a function included: the harness's moto.
    assert any(_within(f.module, "moto.server") and f.source == "mlmeta/local/emulator.py" for f in _all_imports())
    assert any(_within(f.module, "mlmeta.local") and f.source.startswith("mlmeta/cli/") for f in _all_imports())


def test_imports_go_only_in_the_allowed_directions():
    unexpected = [f"{f.source}:{f.line} imports {f.module}" for f in _crossings() if _exception_for(f) is None]
    assert unexpected == [], "imports across package lines (docs/architecture.md, Import directions)"


def test_every_exception_is_still_needed():
    used = {_exception_for(f) for f in _crossings()}
    stale = [f"{e.source} -> {e.target}" for e in EXCEPTIONS if e not in used]
    assert stale == [], "these debts are paid: remove them from EXCEPTIONS and docs/architecture.md"


def test_only_the_compactor_may_import_the_lake_library():
    assert "mlmeta.lake" in _allowed_for("lambdas/compactor/handler.py")
    assert "mlmeta.lake" not in _allowed_for("lambdas/snapshotter/snapshot.py")
    assert not any(_within("mlmeta.lake.compaction", a) for a in _allowed_for("lambdas/tagger/tagging.py"))


# SigV4 for SageMaker's MLflow: botocore, imported inside the signer only (every Lambda runtime and step image
# has it; a plain http tracking URI never loads it).
LAZY_BOTOCORE = frozenset({"mlmeta_contract/mlflow/signing.py"})


def test_the_contract_imports_only_the_standard_library_and_itself():
    """What every Lambda and every pipeline step ship: nothing their runtime may lack (a step's image has
    no pydantic, the compactor's layer no Powertools)."""
    found = [
        f"{f.source}:{f.line} imports {f.module}"
        for f in _all_imports()
        if f.source.startswith("mlmeta_contract/")
        and f.module.partition(".")[0] not in (*sys.stdlib_module_names, "__future__", "mlmeta_contract")
        and not (f.source in LAZY_BOTOCORE and f.module.partition(".")[0] == "botocore")
    ]
    assert found == []


def test_only_synth_code_imports_the_cdk():
    assert _imports_outside(lambda module: module.partition(".")[0] in CDK_MODULES, CDK_ALLOWED) == []


# The mlflow package is a dev extra (tests, bench, the local server): the library, the Lambdas, the step
# code and mlmeta_contract speak MLflow's REST API through mlmeta_contract/mlflow/client.py instead.
MLFLOW_ALLOWED = ("tests", "bench", "mlmeta.local")


def test_only_tests_bench_and_the_local_server_import_mlflow():
    assert _imports_outside(lambda module: module.partition(".")[0] == "mlflow", MLFLOW_ALLOWED) == []


def test_the_library_never_imports_its_command_line():
    found = [
        f"{f.source}:{f.line} imports {f.module}"
        for f in _all_imports()
        if _within(f.module, "mlmeta.cli")
        and f.source.startswith("mlmeta/")
        and not f.source.startswith("mlmeta/cli/")
        and f.source != "mlmeta/__main__.py"
    ]
    assert found == []


def test_only_the_local_harness_imports_moto():
    found = _imports_outside(lambda module: _within(module, "moto"), MOTO_ALLOWED)
    assert found == [], "moto belongs to mlmeta/local/ (docs/architecture.md, The packages)"


def test_only_the_command_line_imports_the_local_harness():
    found = _imports_outside(lambda module: _within(module, "mlmeta.local"), LOCAL_HARNESS_IMPORTERS)
    assert found == [], "the library never depends on the local harness (docs/architecture.md, Import directions)"


def test_no_module_imports_a_name_twice():
    """A second import of the same name at module level is a merge leftover (two branches each moved the
    import); the later line silently wins, and the first one misleads the reader about where it comes from."""
    twice = []
    for path in _python_files():
        first_line: dict[str, int] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.Import | ast.ImportFrom) or getattr(node, "module", None) == "__future__":
                continue
            for alias in node.names:
                name = alias.asname or alias.name
                if name in first_line:
                    twice.append(f"{path.relative_to(ROOT)}:{node.lineno} {name} (first at line {first_line[name]})")
                first_line.setdefault(name, node.lineno)
    assert not twice, "imported twice:\n" + "\n".join(twice)
