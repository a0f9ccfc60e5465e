"""The tabular binary-classification pipeline: preprocess -> train -> evaluation -> check -> register | fail.

- preprocess (scikit-learn processing image): synthetic or uploaded CSV -> train/validation/test;
- train (built-in XGBoost, ``binary:logistic``) on train, validated on validation;
- evaluation (XGBoost image, to load the model; code ``<package>.evaluate``): precision, recall, F1, ROC AUC on test, written to
  evaluation.json (a PropertyFile) and recorded as trial 1.2 with its component and metrics;
- check: ROC AUC >= the ``MinimumRocAuc`` parameter, then register the model in the model package
  group ``{usecase}-{env}`` with evaluation.json as its metrics, else fail the execution.

``PipelineExperimentConfig`` makes Pipelines create trial 1.1 ``{usecase}-{env}-{execution_id}`` in the
pipeline's experiment and record every job's environment there. Step code is the use case's package
in the step bundle (``pipelines/<package>/``), run as ``python3 <bundle>.zip <package>.<step>``.
"""

from __future__ import annotations

import json

from mlmeta_contract.naming import CONVENTION_ENV_VAR, DEFAULT_CONVENTION, NamingConvention
from mlmeta_contract.naming.vocabulary import FIELDS_BY_PART
from stacks.pipeline.definition.sdk import offline_session, sdk_imports
from stacks.pipeline.definition.spec import PipelineSpec
from pipelines.common.classification import report_json_path

with sdk_imports():
    from sagemaker import image_uris
    from sagemaker.estimator import Estimator
    from sagemaker.inputs import TrainingInput
    from sagemaker.model import Model
    from sagemaker.model_metrics import MetricsSource, ModelMetrics
    from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor
    from sagemaker.sklearn.processing import SKLearnProcessor
    from sagemaker.workflow.condition_step import ConditionStep
    from sagemaker.workflow.conditions import ConditionGreaterThanOrEqualTo
    from sagemaker.workflow.execution_variables import ExecutionVariables
    from sagemaker.workflow.fail_step import FailStep
    from sagemaker.workflow.functions import Join, JsonGet
    from sagemaker.workflow.model_step import ModelStep
    from sagemaker.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.pipeline_experiment_config import PipelineExperimentConfig
    from sagemaker.workflow.properties import PropertyFile
    from sagemaker.workflow.steps import ProcessingStep, TrainingStep

# Step names: they appear in job names, trial components and the console. The evaluation step passes
# its own name to the step code (--step), which names trial 1.2's component {trial}-{step} with it: the
# step's job component is tagged with the same name, so the lake holds one step under one name.
PREPROCESS, TRAIN, EVALUATE, CHECK, REGISTER, FAIL = "preprocess", "train", "evaluation", "check-roc-auc", "register", "fail"
SPLITS = ("train", "validation", "test")
EVALUATION_OUTPUT = "evaluation"
REPORT_FILE = "evaluation.json"
# SageMaker's limit on one value of a processing job's Environment.
MAX_ENVIRONMENT_VALUE = 256

# Pipeline parameters: what a person (or the schedule) may change per execution.
INPUT_DATA_URI = ParameterString(name="InputDataUri", default_value="synthetic")
SYNTHETIC_ROWS = ParameterInteger(name="SyntheticRows", default_value=5000)
MINIMUM_ROC_AUC = ParameterFloat(name="MinimumRocAuc", default_value=0.7)
MODEL_APPROVAL_STATUS = ParameterString(name="ModelApprovalStatus", default_value="PendingManualApproval")
PARAMETERS = (INPUT_DATA_URI, SYNTHETIC_ROWS, MINIMUM_ROC_AUC, MODEL_APPROVAL_STATUS)

XGBOOST_HYPERPARAMETERS = {
    "objective": "binary:logistic",
    "eval_metric": "auc",
    "num_round": 200,
    "early_stopping_rounds": 20,
    "max_depth": 4,
    "eta": 0.1,
    "subsample": 0.8,
}


def build_definition(spec: PipelineSpec) -> str:
    """The pipeline definition JSON (PipelineDefinitionBody), built offline."""
    with offline_session(spec.region) as session:
        xgboost_image = _xgboost_image(spec)
        common = {"role": spec.role_arn, "instance_count": 1, "instance_type": spec.instance_type, "sagemaker_session": session}

        def execution_uri(*parts: str) -> Join:
            return Join(on="/", values=[spec.executions_uri, ExecutionVariables.PIPELINE_EXECUTION_ID, *parts])

        preprocess = ProcessingStep(
            name=PREPROCESS,
            step_args=SKLearnProcessor(framework_version=spec.sklearn_version, command=["python3"], **common).run(
                code=spec.code_uri,
                arguments=[f"{spec.step_package}.preprocess", "--input-uri", INPUT_DATA_URI, "--rows", SYNTHETIC_ROWS.to_string()],
                outputs=[
                    ProcessingOutput(output_name=split, source=f"/opt/ml/processing/output/{split}", destination=execution_uri(split))
                    for split in SPLITS
                ],
            ),
        )
        split_uri = {split: preprocess.properties.ProcessingOutputConfig.Outputs[split].S3Output.S3Uri for split in SPLITS}

        estimator = Estimator(
            image_uri=xgboost_image,
            output_path=execution_uri("model"),
            hyperparameters=XGBOOST_HYPERPARAMETERS,
            # The debugger and profiler would add rules and outputs this pipeline does not use.
            debugger_hook_config=False,
            disable_profiler=True,
            **common,
        )
        train = TrainingStep(
            name=TRAIN,
            step_args=estimator.fit(
                {split: TrainingInput(split_uri[split], content_type="text/csv") for split in ("train", "validation")}
            ),
        )
        model_uri = train.properties.ModelArtifacts.S3ModelArtifacts

        report = PropertyFile(name="EvaluationReport", output_name=EVALUATION_OUTPUT, path=REPORT_FILE)
        evaluation_uri = execution_uri(EVALUATION_OUTPUT)
        evaluator = ScriptProcessor(image_uri=xgboost_image, command=["python3"], env=evaluate_environment(spec), **common)
        evaluate = ProcessingStep(
            name=EVALUATE,
            step_args=evaluator.run(
                code=spec.code_uri,
                inputs=[
                    ProcessingInput(source=model_uri, destination="/opt/ml/processing/model", input_name="model"),
                    ProcessingInput(source=split_uri["test"], destination="/opt/ml/processing/test", input_name="test"),
                ],
                outputs=[
                    ProcessingOutput(output_name=EVALUATION_OUTPUT, source="/opt/ml/processing/evaluation", destination=evaluation_uri)
                ],
                arguments=[
                    f"{spec.step_package}.evaluate",
                    "--use-case", spec.use_case,
                    "--env", spec.env,
                    "--execution-id", ExecutionVariables.PIPELINE_EXECUTION_ID,
                    "--execution-arn", ExecutionVariables.PIPELINE_EXECUTION_ARN,
                    "--region", spec.region,
                    "--model-uri", model_uri,
                    "--test-uri", split_uri["test"],
                    "--evaluation-uri", evaluation_uri,
                    "--step", EVALUATE,
                ],  # fmt: skip
            ),
            property_files=[report],
        )

        register = ModelStep(
            name=REGISTER,
            step_args=Model(image_uri=xgboost_image, model_data=model_uri, role=spec.role_arn, sagemaker_session=session).register(
                content_types=["text/csv"],
                response_types=["text/csv"],
                inference_instances=[spec.instance_type],
                transform_instances=[spec.instance_type],
                model_package_group_name=spec.model_package_group_name,
                approval_status=MODEL_APPROVAL_STATUS,
                model_metrics=ModelMetrics(
                    model_statistics=MetricsSource(
                        s3_uri=Join(on="/", values=[evaluation_uri, REPORT_FILE]), content_type="application/json"
                    )
                ),
                description=f"{spec.use_case} ({spec.env}): XGBoost binary classifier registered by pipeline {spec.pipeline_name}",
            ),
        )
        fail = FailStep(
            name=FAIL,
            error_message=Join(on=" ", values=["ROC AUC on the test set is below MinimumRocAuc =", MINIMUM_ROC_AUC]),
        )
        check = ConditionStep(
            name=CHECK,
            conditions=[
                ConditionGreaterThanOrEqualTo(
                    left=JsonGet(step_name=evaluate.name, property_file=report, json_path=report_json_path("auc")),
                    right=MINIMUM_ROC_AUC,
                )
            ],
            if_steps=[register],
            else_steps=[fail],
        )
        pipeline = Pipeline(
            name=spec.pipeline_name,
            parameters=list(PARAMETERS),
            steps=[preprocess, train, evaluate, check],
            pipeline_experiment_config=PipelineExperimentConfig(
                experiment_name=spec.experiment_name,
                trial_name=environment_trial_name(spec.convention, use_case=spec.use_case, env=spec.env),
            ),
            sagemaker_session=session,
        )
        return pipeline.definition()


def image_uris_of(spec: PipelineSpec) -> tuple[str, ...]:
    """The images the definition runs (the execution role may pull exactly these)."""
    with offline_session(spec.region) as session:
        sklearn = SKLearnProcessor(
            framework_version=spec.sklearn_version, role=spec.role_arn, instance_type=spec.instance_type,
            instance_count=1, sagemaker_session=session,
        )  # fmt: skip
        return (_xgboost_image(spec), sklearn.image_uri)


def _xgboost_image(spec: PipelineSpec) -> str:
    return image_uris.retrieve("xgboost", region=spec.region, version=spec.xgboost_version)


def evaluate_environment(spec: PipelineSpec) -> dict[str, str]:
    """The evaluate step's variables: the convention (when not the built-in one) and where it records runs."""
    return {**convention_environment(spec.convention), **spec.tracking_environment}


def convention_environment(convention: NamingConvention) -> dict[str, str]:
    """The evaluate step's environment: it names trial 1.2 by the convention the stack validated, which
    the step reads from $MLMETA_NAMING_CONVENTION when it is not the built-in one."""
    if convention == DEFAULT_CONVENTION:
        return {}
    # Only what differs from the default: convention_from_dict merges words and patterns over it.
    default, custom = DEFAULT_CONVENTION.to_dict(), convention.to_dict()
    difference = {key: value for key, value in custom.items() if value != default[key]}
    for key in ("words", "patterns"):
        if key in difference:
            difference[key] = {k: v for k, v in custom[key].items() if default[key].get(k) != v}
    document = json.dumps(difference, sort_keys=True, separators=(",", ":"))
    if len(document) > MAX_ENVIRONMENT_VALUE:
        raise ValueError(
            f"the naming convention is {len(document)} characters as JSON; a processing job's environment values "
            f"take at most {MAX_ENVIRONMENT_VALUE}, so the evaluate step could not receive it"
        )
    return {CONVENTION_ENV_VAR: document}


def environment_trial_name(convention: NamingConvention, *, use_case: str, env: str) -> Join:
    """Trial 1.1's name as a pipeline expression: the convention's pattern with the execution id filled
    in by Pipelines at run time (``{usecase}-{env}-{execution_id}`` joins to ``churn-prediction-dev-<id>``)."""
    compiled = convention.compiled("environment-trial")
    marker = "\x00"  # cannot occur in a rendered name
    parts = {"use_case": use_case, "env": env, "execution_id": marker}
    rendered = compiled.render({FIELDS_BY_PART[part].placeholder: value for part, value in parts.items()})
    before, after = rendered.split(marker)
    return Join(on="", values=[value for value in (before, ExecutionVariables.PIPELINE_EXECUTION_ID, after) if value != ""])


__all__ = ["PARAMETERS", "build_definition", "environment_trial_name", "image_uris_of"]
