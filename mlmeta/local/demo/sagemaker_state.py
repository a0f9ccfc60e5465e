"""What SageMaker holds after each simulated execution, put into the emulator through SageMaker's API,
as the services would have left it:

- **Pipelines** (``PipelineExperimentConfig``): trial 1.1 ``{usecase}-{env}-{execution_id}`` in the
  pipeline experiment, and the steps ListPipelineExecutionSteps lists;
- **each job** (processing, training): its own trial component ``<job>-aws-<type>-job`` in trial 1.1,
  with its parameters, artifacts and ``Source`` (the job), and the training job's metric curves;
- **the evaluate step**: trial 1.2 and its component with parameters, artifacts and the four metrics,
  written by the step's own code (``pipelines/common/tracking.py``) through SageMaker Metrics'
  BatchPutMetrics; on the MLflow backend (``mlflow`` given), trial 1.2 as one MLflow run instead,
  written by the step's MLflow code (``pipelines/common/mlflow_tracking.py``), as evaluate.py chooses;
- **data scientists**: the experiments and trials of their EDA work.

moto stores all of it except a job component's Source and the execution's steps, which
``mlmeta.local.moto_gaps`` records (the demo runs inside its ``sagemaker_like_aws()``).
"""

from __future__ import annotations

from typing import Any

from mlmeta.local.demo.aws_events import AwsNames, step_metadata
from mlmeta.local.checkout import checkout_module
from mlmeta.local.demo.history import TEST_ROWS, TRAINING_ROUNDS, EdaAction, Evaluation, Execution, StepRun
from mlmeta.local.emulator import SETUP_CONFIG, clients
from mlmeta.local.moto_gaps import record_execution_steps, set_job_source
from mlmeta_contract.mlflow.client import MlflowClient
from mlmeta_contract.naming import new

# A trial component's PrimaryStatus for a step's status.
COMPONENT_STATUS = {"Succeeded": "Completed", "Failed": "Failed", "Stopped": "Stopped"}
SOURCE_TYPES = {"processing": "SageMakerProcessingJob", "training": "SageMakerTrainingJob"}
# The pipeline's jobs run on its default instance type (stacks/pipeline/definition/spec.py, which imports the SDK).
INSTANCE_TYPE = "ml.m5.large"


class SimulatedSageMaker:
    """Writes the history's SageMaker state into the emulator at ``endpoint``; trial 1.2 to ``mlflow``
    when given (the MLflow backend)."""

    def __init__(self, endpoint: str, names: AwsNames, use_case: str, environment: str, *, mlflow: MlflowClient | None = None) -> None:
        aws = clients(endpoint, names.region, "sagemaker", "sagemaker-metrics", config=SETUP_CONFIG)
        self.sagemaker, self.metrics = aws["sagemaker"], aws["sagemaker-metrics"]
        self.names = names
        self.use_case = use_case
        self.environment = environment
        self.artifacts = f"s3://mlmeta-{environment}-artifacts-{names.account}"
        self.tracking = checkout_module("pipelines.common.tracking")
        self.mlflow = mlflow
        self.mlflow_tracking = checkout_module("pipelines.common.mlflow_tracking") if mlflow is not None else None

    def execution_ran(self, execution: Execution, model_version: int | None) -> None:
        parts = {"use_case": self.use_case, "env": self.environment}
        trial = new("environment-trial", execution_id=execution.execution_id, **parts)
        self.sagemaker.create_trial(TrialName=trial, DisplayName=trial, ExperimentName=new("pipeline-experiment", **parts))
        for step in execution.steps:
            if step.job_type is not None:
                self._job_component(execution, step, trial)
        if execution.evaluation is not None:
            self._evaluate_step_recorded(execution, execution.evaluation)
        record_execution_steps(
            self.names.execution_arn(execution.execution_id),
            [self._listed_step(step, model_version) for step in execution.steps],
            region=self.names.region,
            account=self.names.account,
        )

    def eda_action(self, action: EdaAction) -> str:
        """Create what the data scientist created; its ARN."""
        if action.resource_type == "experiment":
            return self.sagemaker.create_experiment(ExperimentName=action.name)["ExperimentArn"]
        return self.sagemaker.create_trial(TrialName=action.name, ExperimentName=action.experiment_name)["TrialArn"]

    def _job_component(self, execution: Execution, step: StepRun, trial: str) -> None:
        name = f"{step.job_name}-aws-{step.job_type}-job"  # how SageMaker names a job's own component
        inputs, outputs = self._job_artifacts(execution, step)
        parameters: dict[str, Any] = {"SageMaker.InstanceType": {"StringValue": INSTANCE_TYPE},
                                      "SageMaker.InstanceCount": {"NumberValue": 1.0}}
        if step.job_type == "training":  # hyperparameters are strings in CreateTrainingJob
            parameters |= {key: {"StringValue": str(value)} for key, value in execution.hyperparameters.items()}
        self.sagemaker.create_trial_component(
            TrialComponentName=name,
            DisplayName=name,
            Status={"PrimaryStatus": COMPONENT_STATUS[step.status]},
            StartTime=step.start,
            EndTime=step.end,
            Parameters=parameters,
            InputArtifacts={key: {"Value": uri} for key, uri in inputs.items()},
            OutputArtifacts={key: {"Value": uri} for key, uri in outputs.items()},
        )
        self.sagemaker.associate_trial_component(TrialComponentName=name, TrialName=trial)
        set_job_source(name, self.names.job_arn(step), SOURCE_TYPES[step.job_type], region=self.names.region, account=self.names.account)
        if step.job_type == "training" and execution.training_metrics:
            self._training_curves(name, step, execution)

    def _training_curves(self, component: str, step: StepRun, execution: Execution) -> None:
        duration = step.end - step.start
        data = [
            {"MetricName": metric, "Step": rounds, "Value": value,
             "Timestamp": step.start + duration * (rounds + 1) / (TRAINING_ROUNDS[-1] + 1)}
            for metric, values in execution.training_metrics.items()
            for rounds, value in zip(TRAINING_ROUNDS, values)
        ]
        for start in range(0, len(data), self.tracking.METRICS_PER_CALL):
            self.metrics.batch_put_metrics(TrialComponentName=component, MetricData=data[start : start + self.tracking.METRICS_PER_CALL])

    def _evaluate_step_recorded(self, execution: Execution, evaluation: Evaluation) -> None:
        """What pipelines/churn_prediction/evaluate.py records, through its own tracking code."""
        prefix = self._prefix(execution)
        step_execution = self.tracking.StepExecution(self.use_case, self.environment, execution.execution_id,
                                                     self.names.execution_arn(execution.execution_id))
        if self.mlflow_tracking is not None:
            trial = self.mlflow_tracking.MlflowAnalysisRun(step_execution, client=self.mlflow)
        else:
            trial = self.tracking.AnalysisTrial(step_execution, sagemaker=self.sagemaker, metrics=self.metrics)
        trial.record(
            parameters={"decision_threshold": 0.5, "test_rows": TEST_ROWS, "test_positive_rate": evaluation.test_positive_rate},
            metrics=evaluation.metrics,
            input_artifacts={"model": self._model_uri(execution), "test": f"{prefix}/test"},
            output_artifacts={"evaluation": f"{prefix}/evaluation/evaluation.json"},
            start_time=evaluation.start,
            end_time=evaluation.end,
        )

    def _job_artifacts(self, execution: Execution, step: StepRun) -> tuple[dict[str, str], dict[str, str]]:
        prefix = self._prefix(execution)
        splits = {split: f"{prefix}/{split}" for split in ("train", "validation", "test")}
        if step.name == "preprocess":
            return {"code": f"{self.artifacts}/code/{self.use_case}.zip"}, splits
        if step.job_type == "training":
            return {"train": splits["train"], "validation": splits["validation"]}, {"SageMaker.ModelArtifact": self._model_uri(execution)}
        return {"model": self._model_uri(execution), "test": splits["test"]}, {"evaluation": f"{prefix}/evaluation"}

    def _prefix(self, execution: Execution) -> str:
        return f"{self.artifacts}/executions/{execution.execution_id}"

    def _model_uri(self, execution: Execution) -> str:
        train = next(step for step in execution.steps if step.job_type == "training")
        return f"{self._prefix(execution)}/model/{train.job_name}/output/model.tar.gz"

    def _listed_step(self, step: StepRun, model_version: int | None) -> dict[str, Any]:
        """The step as ListPipelineExecutionSteps shows it."""
        listed: dict[str, Any] = {"StepName": step.name, "StepDisplayName": step.name, "StepStatus": step.status,
                                  "StartTime": step.start, "EndTime": step.end}
        metadata = step_metadata(step, self.names, model_version)
        if metadata:
            listed["Metadata"] = metadata
        return listed
