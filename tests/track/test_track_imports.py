"""What ``mlmeta.track`` may load: ``import mlmeta`` stays light (the API loads on first use), a run
needs neither pandas nor matplotlib, and the library never imports moto or mlflow (development
dependencies: a notebook with the library alone must work)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

TRACK = Path(__file__).resolve().parents[2] / "mlmeta" / "track"


def _loaded_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint(' '.join(sorted({{m.partition('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120).stdout
    return set(out.split())


def test_import_mlmeta_loads_no_aws_sdk_and_no_dataframes():
    loaded = _loaded_after("import mlmeta")
    assert loaded.isdisjoint({"boto3", "botocore", "pandas", "matplotlib", "mlmeta_contract"})


def test_mlmeta_track_is_callable_and_a_run_loads_no_pandas():
    loaded = _loaded_after("import mlmeta\nassert callable(mlmeta.track) and mlmeta.track.track is not None")
    assert "boto3" in loaded or "botocore" in loaded
    assert loaded.isdisjoint({"pandas", "matplotlib", "moto", "mlflow"})
    listing = _loaded_after("import mlmeta\nmlmeta.track.runs")
    assert "pandas" in listing


def test_the_library_never_imports_moto_or_mlflow():
    found = []
    for path in sorted(TRACK.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.name}: {n}" for n in names if n.partition(".")[0] in ("moto", "mlflow", "sagemaker")]
    assert len(list(TRACK.rglob("*.py"))) >= 8 and found == []
