"""The metric snapshotter. SageMaker is botocore's Stubber with AWS's documented response shapes
(runtime_shapes.py), because moto's Search returns no metrics and no job sources, and moto has no
ListPipelineExecutionSteps; the lake is moto's S3."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from botocore.stub import Stubber

from mlmeta_contract.lake.records import decode_records
from mlmeta_contract.lake.schema import COMPONENT_SNAPSHOTS, METRIC_SNAPSHOTS
from mlmeta_contract.naming import DEFAULT_CONVENTION
from mlmeta_runtime.pipelines import identify_execution
from runtime_shapes import (
    ANALYSIS_COMPONENT,
    ANALYSIS_TRIAL,
    ENVIRONMENT_TRIAL,
    EXECUTION_ARN,
    EXPERIMENT,
    SNAPSHOT_DT,
    execution_steps_response,
    job_arn,
    job_component_name,
    search_request,
    search_response,
    trial_component,
    trial_components,
)
from runtime_world import CONTEXT, load_event
from snapshotter.snapshot import FinishedExecution, emit_metrics

COMPONENT_KEY = f"raw/component_snapshots/dt={SNAPSHOT_DT}/p4jn9xou8a8s.json.gz"
METRIC_KEY = f"raw/metric_snapshots/dt={SNAPSHOT_DT}/p4jn9xou8a8s.json.gz"


@pytest.fixture
def snapshotter(handlers):
    return handlers["snapshotter"]


def _stub_execution(stub: Stubber, *, step_tags: bool) -> None:
    """The calls a snapshot of the fixture execution makes, in order."""
    for trial in (ENVIRONMENT_TRIAL, ANALYSIS_TRIAL):
        stub.add_response("search", search_response(trial_components(trial, step_tags=step_tags)), search_request(trial))
    if not step_tags:
        stub.add_response("list_pipeline_execution_steps", execution_steps_response(),
                          {"PipelineExecutionArn": EXECUTION_ARN, "MaxResults": 100})


def _snapshot(snapshotter, event, *, step_tags: bool = False) -> dict:
    with Stubber(snapshotter.sagemaker) as stub:
        _stub_execution(stub, step_tags=step_tags)
        answer = snapshotter.lambda_handler(event, CONTEXT)
        stub.assert_no_pending_responses()
    return answer


def _records(world, key: str) -> list[dict]:
    return decode_records(world.lake()[key])


def test_a_finished_execution_is_snapshotted_per_the_data_contract(snapshotter, world):
    answer = _snapshot(snapshotter, load_event("pipeline_execution_succeeded.json"))

    assert answer["status"] == "written" and answer["keys"] == [COMPONENT_KEY, METRIC_KEY]
    assert (answer["components"], answer["metrics"]) == (3, 5)
    components, metrics = _records(world, COMPONENT_KEY), _records(world, METRIC_KEY)
    assert all(set(r) == set(COMPONENT_SNAPSHOTS.column_names) for r in components)
    assert all(set(r) == set(METRIC_SNAPSHOTS.column_names) for r in metrics)
    identity = {
        "schema_version": 1, "use_case": "churn-prediction", "environment": "dev", "pipeline_name": "churn-prediction-dev",
        "pipeline_execution_id": "p4jn9xou8a8s", "pipeline_execution_arn": EXECUTION_ARN, "execution_status": "Succeeded",
        "execution_start": "2026-01-02T09:00:00.000Z", "execution_end": "2026-01-02T09:47:12.000Z", "experiment_name": EXPERIMENT,
    }
    assert [(r["trial_kind"], r["trial_component_name"], r["step_name"]) for r in components] == [
        ("environment", job_component_name("preprocess"), "preprocess"),
        ("environment", job_component_name("train"), "train"),
        ("analysis", ANALYSIS_COMPONENT, "evaluation"),
    ]
    train = components[1]
    assert train == {
        **identity,
        "trial_name": ENVIRONMENT_TRIAL,
        "trial_kind": "environment",
        "trial_component_name": job_component_name("train"),
        "step_name": "train",
        "source_arn": job_arn("train"),
        "status": "Completed",
        "start_time": "2026-01-02T09:10:00.000Z",
        "end_time": "2026-01-02T09:19:00.000Z",
        "parameters": {"eta": "0.1", "num_round": "200", "objective": "binary:logistic"},
        "input_artifacts": {"train": "s3://mlmeta-dev-artifacts/p4jn9xou8a8s/train/"},
        "output_artifacts": {"SageMaker.ModelArtifact": "s3://mlmeta-dev-artifacts/p4jn9xou8a8s/model.tar.gz"},
        "snapshot_time": "2026-01-02T09:47:12.000Z",
    }
    assert components[2]["source_arn"] is None and components[2]["trial_name"] == ANALYSIS_TRIAL
    assert [(r["trial_component_name"], r["metric_name"], r["metric_value"]) for r in metrics] == [
        (job_component_name("train"), "train:loss", 0.21),
        (job_component_name("train"), "validation:auc", 0.95),
        (ANALYSIS_COMPONENT, "accuracy", 0.86),
        (ANALYSIS_COMPONENT, "auc", 0.91),
        (ANALYSIS_COMPONENT, "f1", 0.79),
    ]
    auc = metrics[3]
    assert {k: auc[k] for k in ("metric_min", "metric_max", "metric_avg", "metric_stddev", "metric_count", "metric_time", "snapshot_time")} == {
        "metric_min": pytest.approx(0.89), "metric_max": pytest.approx(0.92), "metric_avg": pytest.approx(0.905),
        "metric_stddev": 0.0125, "metric_count": 3, "metric_time": "2026-01-02T09:47:12.000Z", "snapshot_time": "2026-01-02T09:47:12.000Z",
    }


def test_step_tags_spare_the_steps_lookup_and_give_the_same_bytes(snapshotter, world):
    _snapshot(snapshotter, load_event("pipeline_execution_succeeded.json"), step_tags=False)
    untagged = world.lake()
    for key in untagged:
        world.s3.delete_object(Bucket=snapshotter.SETTINGS.lake_bucket, Key=key)

    # With every job component tagged, a stubbed ListPipelineExecutionSteps left unqueued would fail the call.
    _snapshot(snapshotter, load_event("pipeline_execution_succeeded.json"), step_tags=True)

    assert world.lake() == untagged


def test_search_calls_grow_with_the_executions_components_100_a_page(snapshotter, world):
    many = [trial_component(f"{ENVIRONMENT_TRIAL}-extra-{i:03d}", ENVIRONMENT_TRIAL) for i in range(250)]
    with Stubber(snapshotter.sagemaker) as stub:
        stub.add_response("search", search_response(many[:100], "page-2"), search_request(ENVIRONMENT_TRIAL))
        stub.add_response("search", search_response(many[100:200], "page-3"), search_request(ENVIRONMENT_TRIAL, "page-2"))
        stub.add_response("search", search_response(many[200:]), search_request(ENVIRONMENT_TRIAL, "page-3"))
        stub.add_response("search", search_response([]), search_request(ANALYSIS_TRIAL))

        answer = snapshotter.lambda_handler(load_event("pipeline_execution_succeeded.json"), CONTEXT)

        stub.assert_no_pending_responses()
    assert answer["components"] == 250
    assert [r["trial_component_name"] for r in _records(world, COMPONENT_KEY)] == sorted(c["TrialComponentName"] for c in many)
    assert _records(world, METRIC_KEY) == []


def test_an_execution_with_no_components_still_gets_both_objects_so_the_reconciler_sees_it_done(snapshotter, world):
    with Stubber(snapshotter.sagemaker) as stub:
        for trial in (ENVIRONMENT_TRIAL, ANALYSIS_TRIAL):
            stub.add_response("search", search_response([]), search_request(trial))
        snapshotter.lambda_handler(load_event("pipeline_execution_succeeded.json"), CONTEXT)

    assert sorted(world.lake()) == [COMPONENT_KEY, METRIC_KEY]
    assert _records(world, METRIC_KEY) == []


@pytest.mark.parametrize("status", ["Failed", "Stopped", "CompletedWithFailures"])
def test_every_finished_execution_is_snapshotted_with_its_status(snapshotter, world, status):
    event = load_event("pipeline_execution_succeeded.json")
    event["detail"]["currentPipelineExecutionStatus"] = status

    _snapshot(snapshotter, event)

    assert {r["execution_status"] for r in _records(world, COMPONENT_KEY) + _records(world, METRIC_KEY)} == {status}


@pytest.mark.parametrize(
    ("fixture", "change", "reason"),
    [
        ("pipeline_execution_executing.json", {}, "execution status Executing: snapshots are taken when it ends"),
        ("aws_pipeline_execution_status_change.json", {}, "pipeline 'myPipeline-123' does not follow the naming convention"),
    ],
)
def test_unfinished_or_foreign_executions_are_skipped(snapshotter, world, fixture, change, reason):
    event = load_event(fixture)
    event["detail"].update(change)

    answer = snapshotter.lambda_handler(event, CONTEXT)

    assert answer["status"] == "skipped" and reason in answer["reason"]
    assert world.lake() == {}


def test_the_partition_is_the_utc_date_of_the_end(snapshotter, world):
    event = load_event("pipeline_execution_succeeded.json")
    event["detail"]["executionEndTime"] = "2026-01-03T08:30:00+09:00"  # 23:30 UTC on the 2nd

    answer = _snapshot(snapshotter, event)

    assert answer["keys"] == [COMPONENT_KEY, METRIC_KEY]
    assert _records(world, METRIC_KEY)[0]["execution_end"] == "2026-01-02T23:30:00.000Z"


def test_recent_metrics_reach_cloudwatch_as_emf_with_use_case_environment_and_step(snapshotter, world, capsys, monkeypatch):
    # As deployed: Powertools would add a `service` dimension from it, splitting the snapshotter's and the reconciler's data.
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "mlmeta-dev-snapshotter")
    end = (datetime.now(timezone.utc) - timedelta(hours=1)).replace(microsecond=0)
    event = load_event("pipeline_execution_succeeded.json")
    event["detail"]["executionEndTime"] = end.isoformat().replace("+00:00", "Z")
    capsys.readouterr()

    answer = _snapshot(snapshotter, event)

    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    # One EMF document per step (train, evaluation), not one per value.
    assert answer["emitted"] == 5 and len(emf) == 2
    auc = next(blob for blob in emf if "auc" in blob)
    [directive] = auc["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "mlmeta"
    assert directive["Dimensions"] == [["use_case", "environment", "step"]]
    assert [metric["Name"] for metric in directive["Metrics"]] == ["accuracy", "auc", "f1"]
    assert (auc["use_case"], auc["environment"], auc["step"], auc["auc"]) == ("churn-prediction", "dev", "evaluation", [0.91])
    assert auc["_aws"]["Timestamp"] == int(end.timestamp() * 1000)
    assert {blob["step"] for blob in emf if "validation:auc" in blob} == {"train"}


def test_a_step_with_hundreds_of_values_fills_several_emf_documents_and_loses_none(capsys):
    # A tuning step: 150 values of one metric and 120 distinct metrics; EMF allows 100 of either per document.
    end = (datetime.now(timezone.utc) - timedelta(hours=1)).replace(microsecond=0)
    execution = FinishedExecution(identify_execution(EXECUTION_ARN, convention=DEFAULT_CONVENTION, environment="dev"), "Succeeded", None, end)
    names = ["validation:auc"] * 150 + [f"fold-{number}:auc" for number in range(120)]
    records = [{"use_case": "churn-prediction", "environment": "dev", "step_name": "tune", "metric_name": name, "metric_value": 0.5 + n / 1000}
               for n, name in enumerate(names)]
    capsys.readouterr()

    emitted = emit_metrics(records, execution, namespace="mlmeta", now=end)

    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    values = [(metric["Name"], value) for blob in emf for metric in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"] for value in blob[metric["Name"]]]
    assert emitted == len(values) == 270 and sorted(values) == sorted((r["metric_name"], r["metric_value"]) for r in records)
    assert 3 <= len(emf) < 10 and all(len(blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]) <= 100 for blob in emf)
    assert all(len(blob["validation:auc"]) <= 100 for blob in emf if "validation:auc" in blob)


def test_metrics_older_than_cloudwatch_accepts_stay_in_the_lake_only(snapshotter, world, capsys):
    event = load_event("pipeline_execution_succeeded.json")
    event["detail"]["executionEndTime"] = (datetime.now(timezone.utc) - timedelta(days=20)).isoformat()
    capsys.readouterr()

    answer = _snapshot(snapshotter, event)

    assert answer["emitted"] == 0 and answer["metrics"] == 5
    assert '"_aws"' not in capsys.readouterr().out
