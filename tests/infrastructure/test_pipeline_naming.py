"""Synth-time naming enforcement of the pipeline stack: a bad name in the config fails the synth."""

from __future__ import annotations

from dataclasses import replace

import pytest
from aws_cdk import App, Stack

from mlmeta.config import get_environment
from mlmeta.config.settings import UseCase
from stacks.mlmeta_app import build, create_app
from mlmeta_contract.naming import DEFAULT_CONVENTION
from stacks.common.compliant_names import NonCompliantName
from stacks.pipeline.schedule import ScheduleExpressionError
from stacks.pipeline.step_code import StepCodeError
from stacks.pipeline_stack import PipelineNames, PipelineStack, checked_pipeline_names


def stack_for(use_case: UseCase, env: str = "dev") -> PipelineStack:
    return PipelineStack(create_app(), "Probe", settings=get_environment(env), use_case=use_case)


def test_names_follow_the_convention():
    assert checked_pipeline_names("prod", "churn-prediction", DEFAULT_CONVENTION) == PipelineNames(
        pipeline="churn-prediction-prod",
        experiment="churn-prediction-prod-pipeline",
        model_package_group="churn-prediction-prod",
    )


def test_a_bad_use_case_fails_with_the_name_its_kind_and_the_rule():
    with pytest.raises(NonCompliantName) as caught:
        stack_for(UseCase(name="Churn_Prediction"))
    message = str(caught.value)
    assert "\n" not in message
    assert "environment dev, use case 'Churn_Prediction'" in message
    assert "'Churn_Prediction-dev' is not a compliant pipeline name [uppercase]" in message
    assert caught.value.kind == "pipeline" and caught.value.rule == "uppercase"


def test_the_whole_app_fails_synth_on_a_bad_use_case(tmp_path):
    settings = replace(get_environment("dev"), use_cases=(UseCase(name="Churn_Prediction"),))
    # The experiments stack is built first and checks the same use case: either stack's guard may speak.
    with pytest.raises(NonCompliantName, match=r"use case 'Churn_Prediction'.*\[uppercase\]"):
        build(create_app(outdir=str(tmp_path)), settings, [])


def test_a_use_case_too_long_for_per_execution_names_fails_before_any_execution():
    # 85 + len("-dev-<12 characters>-analysis") = 111 fits; + len("-evaluation") = 122 does not.
    long_use_case = "c" * 85
    with pytest.raises(NonCompliantName, match=r"analysis-component name \[too-long\]"):
        stack_for(UseCase(name=long_use_case))


def test_a_use_case_without_step_code_fails_naming_the_missing_files():
    with pytest.raises(StepCodeError, match=r"pipelines/fraud_detection/preprocess.py, pipelines/fraud_detection/evaluate.py"):
        stack_for(UseCase(name="fraud-detection"))


def test_a_bad_schedule_fails_naming_the_config_entry():
    with pytest.raises(ScheduleExpressionError, match=r"environment dev, use case 'churn-prediction': schedule 'weekly'"):
        stack_for(UseCase(name="churn-prediction", schedule="weekly"))


def test_nothing_is_constructed_before_the_names_are_checked():
    app = App()
    with pytest.raises(NonCompliantName):
        PipelineStack(app, "Probe", settings=get_environment("dev"), use_case=UseCase(name="Churn_Prediction"))
    assert [child for child in app.node.children if isinstance(child, Stack)] == []
