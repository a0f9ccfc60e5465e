"""The pipeline definition as synthesized into each environment's pipeline stack."""

from __future__ import annotations

import json

from pipeline_template import (
    EXAMPLE_EXECUTION_ID,
    definition,
    definition_source,
    pipeline_stack,
    run_time_name,
    single,
    step_references,
    steps,
    substitute,
)

from mlmeta_contract.naming import new, validate

USE_CASE = "churn-prediction"
GRAPH = {
    "preprocess": set(),
    "train": {"preprocess"},
    "evaluation": {"preprocess", "train"},
    "check-roc-auc": {"evaluation"},
    "register-RegisterModel": {"train"},
    "fail": set(),
}


def names(env_app) -> dict[str, str]:
    parts = {"use_case": USE_CASE, "env": env_app.settings.name}
    return {kind: new(kind, **parts) for kind in ("pipeline", "pipeline-experiment")}


def test_pipeline_is_named_by_the_convention(env_app):
    _, pipeline = single(env_app, "AWS::SageMaker::Pipeline")
    assert pipeline["Properties"]["PipelineName"] == names(env_app)["pipeline"] == f"{USE_CASE}-{env_app.settings.name}"


def test_pipelines_create_trial_1_1_in_the_pipeline_experiment_by_the_convention(env_app):
    config = definition(env_app)["PipelineExperimentConfig"]
    assert config["ExperimentName"] == names(env_app)["pipeline-experiment"]
    trial = run_time_name(config["TrialName"])
    assert trial == new("environment-trial", use_case=USE_CASE, env=env_app.settings.name, execution_id=EXAMPLE_EXECUTION_ID)
    assert validate("environment-trial", trial).compliant


def test_step_graph_is_preprocess_train_evaluate_check_then_register_or_fail(env_app):
    by_name = steps(env_app)
    assert [s["Name"] for s in definition(env_app)["Steps"]] == ["preprocess", "train", "evaluation", "check-roc-auc"]
    assert {name: step_references(step) for name, step in by_name.items()} == GRAPH
    check = by_name["check-roc-auc"]["Arguments"]
    assert [s["Name"] for s in check["IfSteps"]] == ["register-RegisterModel"]
    assert [s["Name"] for s in check["ElseSteps"]] == ["fail"]
    assert {name: step["Type"] for name, step in by_name.items()} == {
        "preprocess": "Processing",
        "train": "Training",
        "evaluation": "Processing",
        "check-roc-auc": "Condition",
        "register-RegisterModel": "RegisterModel",
        "fail": "Fail",
    }


def test_condition_gates_roc_auc_from_the_evaluation_property_file_on_a_parameter(env_app):
    (condition,) = steps(env_app)["check-roc-auc"]["Arguments"]["Conditions"]
    assert condition == {
        "Type": "GreaterThanOrEqualTo",
        "LeftValue": {
            "Std:JsonGet": {
                "PropertyFile": {"Get": "Steps.evaluation.PropertyFiles.EvaluationReport"},
                "Path": "binary_classification_metrics.auc.value",
            }
        },
        "RightValue": {"Get": "Parameters.MinimumRocAuc"},
    }
    parameters = {p["Name"]: p for p in definition(env_app)["Parameters"]}
    assert parameters["MinimumRocAuc"] == {"Name": "MinimumRocAuc", "Type": "Float", "DefaultValue": 0.7}


def test_evaluate_writes_the_property_file_to_its_evaluation_output(env_app):
    evaluate = steps(env_app)["evaluation"]
    assert evaluate["PropertyFiles"] == [
        {"PropertyFileName": "EvaluationReport", "OutputName": "evaluation", "FilePath": "evaluation.json"}
    ]
    outputs = evaluate["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    assert [o["OutputName"] for o in outputs] == ["evaluation"]
    assert outputs[0]["S3Output"]["LocalPath"] == "/opt/ml/processing/evaluation"


def test_evaluate_gets_use_case_env_and_the_executions_id_and_arn(env_app):
    app_spec = steps(env_app)["evaluation"]["Arguments"]["AppSpecification"]
    arguments = app_spec["ContainerArguments"]
    assert arguments[0] == "churn_prediction.evaluate"
    options = dict(zip(arguments[1::2], arguments[2::2]))
    assert options["--use-case"] == USE_CASE
    assert options["--env"] == env_app.settings.name
    assert options["--region"] == env_app.settings.region
    assert options["--execution-id"] == {"Get": "Execution.PipelineExecutionId"}
    assert options["--execution-arn"] == {"Get": "Execution.PipelineExecutionArn"}
    assert options["--model-uri"] == {"Get": "Steps.train.ModelArtifacts.S3ModelArtifacts"}


def test_the_evaluation_step_names_trial_1_2s_component_after_itself(env_app):
    """One step, one name: the step's job component is tagged with the step's name and the analysis
    component is {trial}-{step}; both must say the same step, or the lake holds one step twice."""
    evaluation = steps(env_app)["evaluation"]
    arguments = evaluation["Arguments"]["AppSpecification"]["ContainerArguments"]
    options = dict(zip(arguments[1::2], arguments[2::2]))
    component = new("analysis-component", use_case=USE_CASE, env=env_app.settings.name, execution_id=EXAMPLE_EXECUTION_ID, step=options["--step"])

    assert options["--step"] == evaluation["Name"]
    assert validate("analysis-component", component).parts["step"] == evaluation["Name"]


def test_training_uses_the_regional_built_in_xgboost_image_for_binary_classification(env_app):
    arguments = steps(env_app)["train"]["Arguments"]
    image = arguments["AlgorithmSpecification"]["TrainingImage"]
    assert image.endswith(".dkr.ecr.ap-northeast-1.amazonaws.com/sagemaker-xgboost:1.7-1")
    assert arguments["HyperParameters"]["objective"] == "binary:logistic"
    assert {c["ChannelName"] for c in arguments["InputDataConfig"]} == {"train", "validation"}


def test_model_is_registered_in_the_use_cases_group_with_its_evaluation_as_metrics(env_app):
    register = steps(env_app)["register-RegisterModel"]["Arguments"]
    _, group = single(env_app, "AWS::SageMaker::ModelPackageGroup")
    assert register["ModelPackageGroupName"] == group["Properties"]["ModelPackageGroupName"] == names(env_app)["pipeline"]
    assert register["ModelApprovalStatus"] == {"Get": "Parameters.ModelApprovalStatus"}
    statistics = register["ModelMetrics"]["ModelQuality"]["Statistics"]
    assert statistics["ContentType"] == "application/json"
    assert statistics["S3Uri"]["Std:Join"]["Values"][-1] == "evaluation.json"


def test_step_code_is_the_bundle_asset_run_by_python(env_app):
    text, variables = definition_source(env_app)
    code = pipeline_stack(env_app).node.find_child("StepCode")
    key = code.object_key
    for name in ("preprocess", "evaluation"):
        arguments = steps(env_app)[name]["Arguments"]
        assert arguments["AppSpecification"]["ContainerEntrypoint"] == ["python3", f"/opt/ml/processing/input/code/{key}"]
        (code_input,) = [i for i in arguments["ProcessingInputs"] if i["InputName"] == "code"]
        assert code_input["S3Input"]["S3Uri"] == f"s3://${{StepCodeBucket}}/{key}"
    # The CDK bootstrap's asset bucket, where `cdk deploy` uploads the bundle.
    assert variables["StepCodeBucket"] == {"Fn::Sub": f"cdk-hnb659fds-assets-${{AWS::AccountId}}-{env_app.settings.region}"}


def test_cloudformation_fills_in_a_concrete_definition(env_app):
    text, variables = definition_source(env_app)
    stack = pipeline_stack(env_app)
    role_id = stack.get_logical_id(stack.node.find_child("ExecutionRole").role.node.default_child)
    bucket_id = stack.get_logical_id(stack.node.find_child("Artifacts").bucket.node.default_child)
    assert variables["PipelineRoleName"] == {"Ref": role_id}
    assert variables["ArtifactsBucket"] == {"Ref": bucket_id}
    concrete = json.loads(
        substitute(
            text,
            {
                "AWS::Partition": "aws",
                "AWS::AccountId": "123456789012",
                "AWS::Region": env_app.settings.region,
                "PipelineRoleName": "role-name",
                "ArtifactsBucket": "artifacts-bucket",
                "StepCodeBucket": "assets-bucket",
                # stg records to the MLflow App its tracking stack provisions (test_tracking_stack.py).
                **({"MlflowTrackingUri": "arn:aws:sagemaker:r:1:mlflow-app/app-x"} if env_app.stacks.tracking else {}),
            },
        )
    )
    as_text = json.dumps(concrete)
    assert "${" not in as_text
    uris = [s for s in _strings(concrete) if s.startswith("s3://")]
    assert uris and all(u.startswith(("s3://artifacts-bucket/", "s3://assets-bucket/")) for u in uris)
    roles = {s["Arguments"]["RoleArn"] for s in steps(env_app).values() if "RoleArn" in s.get("Arguments", {})}
    assert substitute(roles.pop(), {"AWS::Partition": "aws", "AWS::AccountId": "123456789012", "PipelineRoleName": "r"}) == (
        "arn:aws:iam::123456789012:role/r"
    )
    assert roles == set()


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
