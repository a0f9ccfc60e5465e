"""What docs/experiments.md tells a data scientist to create for EDA (an experiment, a dated trial, runs
named ``<trial>-<run>``) is compliant at every layer: the convention, the naming guard's verdict after
creation, and the IAM guardrail before it (allowed, and not denied in enforce mode)."""

from __future__ import annotations

import re
from pathlib import Path

from cfn_values import decide
from naming_guard.guard import judge
from test_guardrail import arn, guardrail

from mlmeta_contract.naming import DEFAULT_CONVENTION, classify, new

DOCS = Path(__file__).resolve().parents[2] / "docs" / "experiments.md"


def documented_eda_names() -> dict[str, tuple[str, str]]:
    """resource type -> (kind, name), built the way the docs say."""
    text = DOCS.read_text()
    assert "`<trial>-<run>`" in text and "mlmeta names new eda-trial" in text  # what the docs tell users
    experiment = new("eda-experiment", use_case="churn-prediction", user="ikazaki")
    trial = new("eda-trial", use_case="churn-prediction", user="ikazaki", date="20261126", topic="feature-selection")
    return {
        "experiment": ("eda-experiment", experiment),
        "experiment-trial": ("eda-trial", trial),
        "experiment-trial-component": ("eda-component", f"{trial}-baseline"),  # <trial>-<run>
    }


def test_the_documented_names_read_as_their_eda_kinds_and_the_naming_guard_says_compliant():
    for resource_type, (kind, name) in documented_eda_names().items():
        assert classify(name, resource_type).kind == kind
        judgement = judge(name, resource_type, DEFAULT_CONVENTION)
        assert (judgement.verdict, judgement.kind) == ("compliant", kind), (name, judgement.reason)


def test_the_guardrail_allows_creating_and_tagging_them_in_every_mode(env_app):
    region = env_app.settings.region
    statements = guardrail(env_app.template_json(env_app.stacks.experiments))["PolicyDocument"]["Statement"]
    names = documented_eda_names()
    actions = {"experiment": "sagemaker:CreateExperiment", "experiment-trial": "sagemaker:CreateTrial",
               "experiment-trial-component": "sagemaker:CreateTrialComponent"}  # fmt: skip
    for resource_type, (_, name) in names.items():
        resource = arn(region, resource_type, name)
        assert decide(statements, actions[resource_type], resource, region=region) == "allow", resource
        assert decide(statements, "sagemaker:AddTags", resource, region=region) == "allow", resource
    # CreateTrial is authorized on the experiment the trial joins too.
    experiment = arn(region, "experiment", names["experiment"][1])
    assert decide(statements, "sagemaker:CreateTrial", experiment, region=region) == "allow"
    assert re.fullmatch(r"[a-z0-9-]+", names["experiment-trial-component"][1])  # BatchPutMetrics takes lowercase only
