"""The fixture pipeline execution of runtime_shapes.py put into moto, as Pipelines, its jobs and the
evaluation step leave it.

moto keeps experiments, trials, trial components, their tags, parameters and logged metrics; what it
cannot say (Search without Metrics, Source or Parents, no ListPipelineExecutionSteps) is filled in by
``mlmeta.local.moto_gaps`` (the demo's gap filler, shared): run the handlers inside
``sagemaker_like_aws()`` after ``pipelines_ran``.
"""

from __future__ import annotations

import functools
from typing import Any

import boto3

from mlmeta.local.moto_gaps import record_execution_steps, sagemaker_like_aws, set_job_source
from runtime_shapes import (
    EXECUTION_ARN,
    EXPERIMENT,
    METRICS,
    REGION,
    SOURCES,
    TRIAL_COMPONENTS,
    execution_steps_response,
    trial_component,
)

__all__ = ["in_process_metrics_client", "pipelines_ran", "sagemaker_like_aws"]


def pipelines_ran(sagemaker: Any, sagemaker_metrics: Any = None, *, experiment_deployed: bool = False) -> None:
    """What SageMaker Pipelines, the jobs and the evaluation step leave behind for the fixture execution.
    ``sagemaker_metrics``: a SageMaker Metrics client on the same moto (default: one for ``mock_aws``);
    ``experiment_deployed``: the pipeline experiment exists already (moto would replace it, tags lost)."""
    metrics_client = sagemaker_metrics or in_process_metrics_client()
    if not experiment_deployed:
        sagemaker.create_experiment(ExperimentName=EXPERIMENT)
    for trial, names in TRIAL_COMPONENTS.items():
        sagemaker.create_trial(TrialName=trial, ExperimentName=EXPERIMENT)
        for index, name in enumerate(names):
            shape = trial_component(name, trial, index=index)
            sagemaker.create_trial_component(
                TrialComponentName=name,
                Status=shape["Status"],
                StartTime=shape["StartTime"],
                EndTime=shape["EndTime"],
                Parameters=shape["Parameters"],
                InputArtifacts=shape["InputArtifacts"],
                OutputArtifacts=shape["OutputArtifacts"],
            )
            sagemaker.associate_trial_component(TrialComponentName=name, TrialName=trial)
            if METRICS.get(name):
                # One value per metric: moto's summary is then Last = Min = Max = the fixture's Last.
                metrics_client.batch_put_metrics(
                    TrialComponentName=name,
                    MetricData=[{"MetricName": m["MetricName"], "Timestamp": m["TimeStamp"], "Step": 0, "Value": m["Last"]}
                                for m in METRICS[name]],
                )
            if name in SOURCES:
                set_job_source(name, *SOURCES[name], region=REGION)
    record_execution_steps(EXECUTION_ARN, list(reversed(execution_steps_response()["PipelineExecutionSteps"])), region=REGION)


@functools.cache
def in_process_metrics_client() -> Any:
    # Created once (a client costs ~80 ms); moto serves it in every mock_aws context.
    return boto3.client("sagemaker-metrics", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
