"""The contract package (mlmeta_contract): the one place the names the stacks, the handlers, the pipeline
steps and the laptop share are written, and importable where it is shipped (no third-party package)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mlmeta.config import get_environment
from mlmeta.doctor.trail import created_trail_name
from mlmeta.events.handlers import HANDLERS
from mlmeta_contract.events import RouteSpec, route_specs
from mlmeta_contract.handlers import EXPERIMENT_PROVISIONER, service_name
from mlmeta_contract.resources import resource_name

ROOT = Path(__file__).resolve().parents[2]


def test_resource_names_are_the_project_the_environment_and_the_parts():
    assert resource_name("prod") == "mlmeta-prod"
    assert resource_name("dev", "churn-prediction", "evaluation", "auc", "threshold") == "mlmeta-dev-churn-prediction-evaluation-auc-threshold"
    assert get_environment("stg").stack_name("lake") == "mlmeta-stg-lake"
    assert created_trail_name(get_environment("dev")) == "mlmeta-dev-management-events"


@pytest.mark.parametrize(("environment", "parts"), [("", ()), ("dev", ("lake", ""))])
def test_an_empty_environment_or_part_is_refused_with_the_values(environment, parts):
    with pytest.raises(ValueError, match=r"must be non-empty, got \("):
        resource_name(environment, *parts)


def test_every_handler_logs_under_its_service_name():
    assert [spec.service for spec in HANDLERS] == ["mlmeta-tagger", "mlmeta-naming-guard", "mlmeta-snapshotter", "mlmeta-reconciler"]
    assert service_name(EXPERIMENT_PROVISIONER) == "mlmeta-experiment-provisioner"


def test_every_route_names_a_handler_that_exists_and_only_known_pipelines():
    specs = route_specs(["churn-prediction-dev"])
    assert {spec.handler for spec in specs} == {spec.name for spec in HANDLERS}
    suffixes = {s["suffix"] for spec in specs if spec.pattern for s in spec.pattern.get("detail", {}).get("pipelineArn", [])}
    assert suffixes == {":pipeline/churn-prediction-dev"}


def test_a_route_spec_has_a_pattern_or_a_schedule():
    with pytest.raises(ValueError, match="route Both: give an event pattern or a schedule, not both or neither"):
        RouteSpec(name="Both", description="x", handler="tagger", pattern={"source": ["a"]}, schedule="rate(1 hour)")


def test_every_contract_module_imports_with_the_standard_library_alone():
    """As in a pipeline step's image (no pydantic) or the compactor's layer (no Powertools): a fresh
    interpreter that refuses every non-stdlib top-level package imports every module of the contract."""
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "mlmeta_contract").rglob("*.py")
        if "__pycache__" not in p.parts
    )
    script = (
        "import importlib, importlib.abc, sys\n"
        "class Refuse(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        top = name.partition('.')[0]\n"
        "        if top not in sys.stdlib_module_names and top != 'mlmeta_contract':\n"
        "            raise ModuleNotFoundError(f'not in a step image: {name}', name=name)\n"
        "sys.meta_path.insert(0, Refuse())\n"
        "for module in sys.argv[1:]:\n"
        "    importlib.import_module(module)\n"
        "print(len(sys.argv) - 1)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, *modules], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout) == len(modules) and "mlmeta_contract.events" in modules
