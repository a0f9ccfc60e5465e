"""mlmeta.local.moto_gaps: moto's SageMaker answering Search and ListPipelineExecutionSteps as AWS
documents them, only while ``sagemaker_like_aws()`` is active."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError
from moto.sagemaker.models import sagemaker_backends

from mlmeta.local.missing_entities import MISSING
from mlmeta.local.moto_gaps import missing_entities_not_found, record_execution_steps, sagemaker_like_aws, set_job_source
from moto_gaps import in_process_metrics_client
from runtime_shapes import REGION, arn

START = datetime(2026, 1, 2, 9, tzinfo=UTC)


def components_in(world, experiment: str, trial: str, count: int) -> list[str]:
    world.sagemaker.create_experiment(ExperimentName=experiment)
    world.sagemaker.create_trial(TrialName=trial, ExperimentName=experiment)
    names = [f"{trial}-c{number}" for number in range(count)]
    for name in names:
        world.sagemaker.create_trial_component(TrialComponentName=name)
        world.sagemaker.associate_trial_component(TrialComponentName=name, TrialName=trial)
    return names


def search(world, name: str, value: str, **kwargs):
    return world.sagemaker.search(Resource="ExperimentTrialComponent",
                                  SearchExpression={"Filters": [{"Name": name, "Operator": "Equals", "Value": value}]}, **kwargs)


def test_search_pages_filters_by_experiment_and_shows_metrics_source_and_parents(world):
    ours = components_in(world, "e1", "t1", 3)
    components_in(world, "e2", "t2", 2)
    in_process_metrics_client().batch_put_metrics(
        TrialComponentName=ours[0], MetricData=[{"MetricName": "auc", "Timestamp": START, "Step": 0, "Value": 0.9}])
    set_job_source(ours[0], arn("training-job", "job-1"), "SageMakerTrainingJob", region=REGION)

    with sagemaker_like_aws():
        first = search(world, "Parents.ExperimentName", "e1", MaxResults=2)
        second = search(world, "Parents.ExperimentName", "e1", MaxResults=2, NextToken=first["NextToken"])

    found = [r["TrialComponent"] for r in first["Results"] + second["Results"]]
    assert [c["TrialComponentName"] for c in found] == ours and "NextToken" not in second
    assert found[0]["Source"] == {"SourceArn": arn("training-job", "job-1"), "SourceType": "SageMakerTrainingJob"}
    assert [(m["MetricName"], m["Last"]) for m in found[0]["Metrics"]] == [("auc", 0.9)]
    assert found[1]["Parents"] == [{"TrialName": "t1", "ExperimentName": "e1"}] and "Source" not in found[1]


def test_outside_the_context_moto_answers_as_before(world):
    components_in(world, "e1", "t1", 1)
    with pytest.raises(ClientError, match="Unknown property name"):
        search(world, "Parents.ExperimentName", "e1")


def test_list_pipeline_execution_steps_answers_the_recorded_steps_newest_first(world):
    execution = arn("pipeline", "churn-prediction-dev/execution/p4jn9xou8a8s")
    steps = [{"StepName": name, "StepStatus": "Succeeded", "StartTime": START + timedelta(minutes=number),
              "Metadata": {"ProcessingJob": {"Arn": arn("processing-job", f"job-{name}")}}}
             for number, name in enumerate(("preprocess", "evaluate", "register"))]
    record_execution_steps(execution, steps, region=REGION)

    with sagemaker_like_aws():
        first = world.sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=execution, MaxResults=2)
        rest = world.sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=execution, NextToken=first["NextToken"])
        with pytest.raises(ClientError) as missing:
            world.sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=execution.replace("p4jn9xou8a8s", "other"))

    listed = first["PipelineExecutionSteps"] + rest["PipelineExecutionSteps"]
    assert [s["StepName"] for s in listed] == ["register", "evaluate", "preprocess"]
    assert listed[-1]["Metadata"]["ProcessingJob"]["Arn"] == arn("processing-job", "job-preprocess")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFound"


def test_search_filters_and_sorts_by_creation_time_for_every_entity_type(world):
    """The naming sweep's Search: CreationTime in [since, until) as Search documents its time values."""
    backend = sagemaker_backends["123456789012"][REGION]
    world.sagemaker.create_experiment(ExperimentName="e1")
    for number, name in enumerate(("late", "early", "in-between")):
        world.sagemaker.create_experiment(ExperimentName=name)
        world.sagemaker.create_trial(TrialName=name, ExperimentName="e1")
        world.sagemaker.create_trial_component(TrialComponentName=name)
        hour = {"early": 8, "in-between": 9, "late": 10}[name]
        for entity in (backend.experiments[name], backend.trials[name], backend.trial_components[name]):
            entity.creation_time = datetime(2026, 1, 2, hour, 30)  # moto keeps naive UTC times
    window = [{"Name": "CreationTime", "Operator": "GreaterThanOrEqualTo", "Value": "2026-01-02T08:30:00"},
              {"Name": "CreationTime", "Operator": "LessThan", "Value": "2026-01-02T10:30:00"}]

    with sagemaker_like_aws():
        found = {resource: world.sagemaker.search(Resource=resource, SearchExpression={"Filters": window},
                                                  SortBy="CreationTime", SortOrder="Ascending")["Results"]
                 for resource in ("Experiment", "ExperimentTrial", "ExperimentTrialComponent")}

    assert [r["Experiment"]["ExperimentName"] for r in found["Experiment"]] == ["early", "in-between"]
    assert [r["Trial"]["TrialName"] for r in found["ExperimentTrial"]] == ["early", "in-between"]
    assert [r["TrialComponent"]["TrialComponentName"] for r in found["ExperimentTrialComponent"]] == ["early", "in-between"]


def test_lookups_of_missing_entities_are_not_found_and_recorded_only_inside_the_context(world):
    world.sagemaker.create_experiment(ExperimentName="e1")
    missing_component = arn("experiment-trial-component", "nowhere")
    MISSING.take()

    with missing_entities_not_found():
        for call in (lambda: world.sagemaker.add_tags(ResourceArn=missing_component, Tags=[{"Key": "k", "Value": "v"}]),
                     lambda: world.sagemaker.describe_experiment(ExperimentName="e0"),
                     lambda: world.sagemaker.describe_trial(TrialName="t0")):
            with pytest.raises(ClientError) as raised:
                call()
            assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400  # not a 5xx to retry
        world.sagemaker.add_tags(ResourceArn=world.sagemaker.describe_experiment(ExperimentName="e1")["ExperimentArn"],
                                 Tags=[{"Key": "k", "Value": "v"}])  # what exists is tagged as before
        recorded = MISSING.take()

    assert recorded == ["trial component nowhere", "experiment e0", "trial t0"]
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'tags'"):  # outside: moto's own crash
        world.sagemaker.add_tags(ResourceArn=missing_component, Tags=[{"Key": "k", "Value": "v"}])
    assert MISSING.take() == []
