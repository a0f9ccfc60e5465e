"""The naming package is copied into Lambda assets: it must import only the standard library and
itself (relatively), so it works under any package name with no third-party packages installed."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import mlmeta_contract.naming

PACKAGE = Path(mlmeta_contract.naming.__file__).parent


def _absolute_imports(source: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def test_only_standard_library_is_imported_absolutely():
    for source in sorted(PACKAGE.glob("*.py")):
        outside = _absolute_imports(source) - set(sys.stdlib_module_names) - {"__future__"}
        assert not outside, f"{source.name} imports {sorted(outside)}"


@pytest.mark.slow
def test_a_copy_under_another_name_works_without_site_packages(tmp_path):
    shutil.copytree(PACKAGE, tmp_path / "naming_asset", ignore=shutil.ignore_patterns("__pycache__"))
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import naming_asset as n; "
        "print(n.new('analysis-trial', use_case='churn', env='prod', execution_id='p4jn9xou8a8s')); "
        "print(n.validate('pipeline', 'churn-qa').rule)"
    )
    # -S: no site-packages, so a third-party import would fail here.
    done = subprocess.run([sys.executable, "-S", "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["churn-prod-p4jn9xou8a8s-analysis", "unknown-env"]
