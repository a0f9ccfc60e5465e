"""One pipeline execution as SageMaker describes it, in AWS's documented response shapes: the
``TrialComponent`` members of ``Search`` results (Source, Status, Parameters, artifacts, Metrics as
``TrialComponentMetricSummary``, Tags, Parents) and ``ListPipelineExecutionSteps``' steps (Metadata
with the job ARN). botocore's Stubber checks every response built here against the service model.

The execution matches the fixtures in tests/events/: pipeline ``churn-prediction-dev``, execution
``p4jn9xou8a8s``, steps ``preprocess`` (processing job), ``train`` (training job) and ``evaluation``
(the pipeline's own code, trial 1.2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

REGION = "ap-northeast-1"
ACCOUNT = "123456789012"
PIPELINE = "churn-prediction-dev"
EXECUTION_ID = "p4jn9xou8a8s"
EXECUTION_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{PIPELINE}/execution/{EXECUTION_ID}"
EXPERIMENT = f"{PIPELINE}-pipeline"
ENVIRONMENT_TRIAL = f"{PIPELINE}-{EXECUTION_ID}"
ANALYSIS_TRIAL = f"{ENVIRONMENT_TRIAL}-analysis"
ANALYSIS_COMPONENT = f"{ANALYSIS_TRIAL}-evaluation"
EXECUTION_START = datetime(2026, 1, 2, 9, 0, 0, tzinfo=timezone.utc)
EXECUTION_END = datetime(2026, 1, 2, 9, 47, 12, tzinfo=timezone.utc)
SNAPSHOT_DT = "2026-01-02"

# step -> (job type, job name); the step events in tests/events/ carry these job ARNs.
JOBS = {
    "preprocess": ("processing", "pipelines-p4jn9xou8a8s-preprocess-tmgxry49ug"),
    "train": ("training", "pipelines-p4jn9xou8a8s-train-8fk2mq0zle"),
}
_SOURCE_TYPES = {"processing": "SageMakerProcessingJob", "training": "SageMakerTrainingJob"}


def arn(resource_type: str, name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{resource_type}/{name}"


def job_arn(step: str) -> str:
    job_type, job_name = JOBS[step]
    return arn(f"{job_type}-job", job_name)


def job_component_name(step: str) -> str:
    job_type, job_name = JOBS[step]
    return f"{job_name}-aws-{job_type}-job"


def metric_summary(name: str, last: float, *, count: int = 3, source_arn: str | None = None, at: datetime = EXECUTION_END) -> dict[str, Any]:
    """A ``TrialComponentMetricSummary``."""
    summary = {
        "MetricName": name,
        "TimeStamp": at,
        "Max": last + 0.01,
        "Min": last - 0.02,
        "Last": last,
        "Count": count,
        "Avg": last - 0.005,
        "StdDev": 0.0125,
    }
    if source_arn:
        summary["SourceArn"] = source_arn
    return summary


# What each component logged (job metrics come from the job; evaluation's from the pipeline's code).
METRICS: Mapping[str, list[dict[str, Any]]] = {
    job_component_name("preprocess"): [],
    job_component_name("train"): [
        metric_summary("train:loss", 0.21, count=200, source_arn=job_arn("train")),
        metric_summary("validation:auc", 0.95, count=200, source_arn=job_arn("train")),
    ],
    ANALYSIS_COMPONENT: [metric_summary("auc", 0.91), metric_summary("accuracy", 0.86), metric_summary("f1", 0.79)],
}
PARAMETERS: Mapping[str, dict[str, dict[str, Any]]] = {
    job_component_name("preprocess"): {"SageMaker.InstanceType": {"StringValue": "ml.m5.xlarge"}, "split_seed": {"NumberValue": 42.0}},
    job_component_name("train"): {"eta": {"NumberValue": 0.1}, "num_round": {"NumberValue": 200.0}, "objective": {"StringValue": "binary:logistic"}},
    # The evaluation step records how many metrics it logs (pipelines/common/tracking.py).
    ANALYSIS_COMPONENT: {"threshold": {"NumberValue": 0.5}, "mlmeta:metrics-logged": {"NumberValue": 3.0}},
}
INPUTS: Mapping[str, dict[str, str]] = {
    job_component_name("preprocess"): {"raw": "s3://mlmeta-data/raw/"},
    job_component_name("train"): {"train": "s3://mlmeta-dev-artifacts/p4jn9xou8a8s/train/"},
    ANALYSIS_COMPONENT: {"model": "s3://mlmeta-dev-artifacts/p4jn9xou8a8s/model.tar.gz"},
}
OUTPUTS: Mapping[str, dict[str, str]] = {
    job_component_name("preprocess"): {"train": "s3://mlmeta-dev-artifacts/p4jn9xou8a8s/train/"},
    job_component_name("train"): {"SageMaker.ModelArtifact": "s3://mlmeta-dev-artifacts/p4jn9xou8a8s/model.tar.gz"},
    ANALYSIS_COMPONENT: {"report": "s3://mlmeta-dev-artifacts/p4jn9xou8a8s/evaluation.json"},
}
# Components of each trial, and the step that produced each job component.
TRIAL_COMPONENTS = {
    ENVIRONMENT_TRIAL: (job_component_name("preprocess"), job_component_name("train")),
    ANALYSIS_TRIAL: (ANALYSIS_COMPONENT,),
}
SOURCES = {job_component_name(step): (job_arn(step), _SOURCE_TYPES[JOBS[step][0]]) for step in JOBS}


def trial_component(name: str, trial: str, *, tags: Mapping[str, str] | None = None, index: int = 0) -> dict[str, Any]:
    """A Search result's ``TrialComponent`` for one of this execution's components."""
    started = EXECUTION_START.replace(minute=10 * index)
    component: dict[str, Any] = {
        "TrialComponentName": name,
        "DisplayName": name,
        "TrialComponentArn": arn("experiment-trial-component", name),
        "Status": {"PrimaryStatus": "Completed"},
        "StartTime": started,
        "EndTime": started.replace(minute=10 * index + 9),
        "CreationTime": started,
        "LastModifiedTime": started.replace(minute=10 * index + 9),
        "Parameters": PARAMETERS.get(name, {}),
        "InputArtifacts": {key: {"Value": value} for key, value in INPUTS.get(name, {}).items()},
        "OutputArtifacts": {key: {"Value": value} for key, value in OUTPUTS.get(name, {}).items()},
        "Metrics": METRICS.get(name, []),
        "Tags": [{"Key": key, "Value": value} for key, value in (tags or {}).items()],
        "Parents": [{"TrialName": trial, "ExperimentName": EXPERIMENT}],
    }
    if name in SOURCES:
        source_arn, source_type = SOURCES[name]
        component["Source"] = {"SourceArn": source_arn, "SourceType": source_type}
    return component


def trial_components(trial: str, *, step_tags: bool = False) -> list[dict[str, Any]]:
    """The trial's components; with ``step_tags``, job components carry the tagger's mlmeta:step."""
    steps_by_component = {job_component_name(step): step for step in JOBS}
    return [
        trial_component(
            name,
            trial,
            tags={"mlmeta:step": steps_by_component[name]} if step_tags and name in steps_by_component else None,
            index=index,
        )
        for index, name in enumerate(TRIAL_COMPONENTS[trial])
    ]


def search_request(trial: str, next_token: str | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "Resource": "ExperimentTrialComponent",
        "SearchExpression": {"Filters": [{"Name": "Parents.TrialName", "Operator": "Equals", "Value": trial}]},
        "MaxResults": 100,
    }
    if next_token:
        request["NextToken"] = next_token
    return request


def search_response(components: Sequence[Mapping[str, Any]], next_token: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"Results": [{"TrialComponent": dict(c)} for c in components]}
    if next_token:
        response["NextToken"] = next_token
    return response


def execution_steps_response() -> dict[str, Any]:
    """ListPipelineExecutionSteps of the execution (newest first, as SageMaker lists them)."""
    steps = [
        {"StepName": "evaluation", "StepDisplayName": "evaluation", "StepStatus": "Succeeded",
         "StartTime": EXECUTION_START, "Metadata": {"ProcessingJob": {"Arn": arn("processing-job", "pipelines-p4jn9xou8a8s-evaluation-q1w2e3r4t5")}}},
        {"StepName": "check-auc", "StepStatus": "Succeeded", "StartTime": EXECUTION_START,
         "Metadata": {"Condition": {"Outcome": "True"}}},
    ]
    steps += [
        {"StepName": step, "StepStatus": "Succeeded", "StartTime": EXECUTION_START,
         "Metadata": {f"{job_type.capitalize()}Job": {"Arn": job_arn(step)}}}
        for step, (job_type, _) in JOBS.items()
    ]
    return {"PipelineExecutionSteps": steps}
