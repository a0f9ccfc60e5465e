"""The reconciler against moto: finished executions without a snapshot get one, the others are left
alone; experiments and trials created since the last sweep go through the naming guard. moto's
pipeline executions finish at once (Succeeded) and create no trials, so the tests create the trials
the pipeline would have; moto ignores CreatedAfter/CreatedBefore, which the reconciler re-checks itself."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from botocore.stub import ANY, Stubber

from mlmeta.lake.records import decode_records
from runtime_world import CONTEXT, LAKE_BUCKET, load_event

PIPELINE = "churn-prediction-dev"
MARKER = "state/reconciler/naming-sweep.json"


@pytest.fixture
def reconciler(handlers):
    return handlers["reconciler"]


def _scheduled(at: datetime) -> dict:
    event = load_event("scheduled_event.json")
    event["time"] = at.isoformat(timespec="seconds").replace("+00:00", "Z")
    return event


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _run_pipeline(world) -> str:
    """One execution (finished at once in moto) and the analysis trial its evaluation step would create."""
    arn = world.sagemaker.start_pipeline_execution(PipelineName=PIPELINE)["PipelineExecutionArn"]
    execution_id = arn.rsplit("/", 1)[1]
    trial = f"{PIPELINE}-{execution_id}-analysis"
    world.sagemaker.create_trial(TrialName=trial, ExperimentName=f"{PIPELINE}-pipeline")
    world.sagemaker.create_trial_component(TrialComponentName=f"{trial}-evaluation", Status={"PrimaryStatus": "Completed"})
    world.sagemaker.associate_trial_component(TrialComponentName=f"{trial}-evaluation", TrialName=trial)
    return arn


def _metric_key(world, execution_arn: str) -> str:
    end = world.sagemaker.describe_pipeline_execution(PipelineExecutionArn=execution_arn)["LastModifiedTime"]
    return f"raw/metric_snapshots/dt={end.astimezone(timezone.utc).date()}/{execution_arn.rsplit('/', 1)[1]}.json.gz"


def test_missing_snapshots_are_written_and_present_ones_left_alone(reconciler, world):
    world.sagemaker.create_pipeline(PipelineName=PIPELINE, PipelineDefinition="{}", RoleArn="arn:aws:iam::123456789012:role/pipeline")
    world.sagemaker.create_experiment(ExperimentName=f"{PIPELINE}-pipeline")
    missing, present = _run_pipeline(world), _run_pipeline(world)
    world.s3.put_object(Bucket=LAKE_BUCKET, Key=_metric_key(world, present), Body=b"from the snapshotter")

    summary = reconciler.lambda_handler(_scheduled(_now() + timedelta(minutes=5)), CONTEXT)

    assert (summary["executions_finished"], summary["snapshots_present"], summary["snapshots_written"]) == (2, 1, [missing])
    components = decode_records(world.lake()[_metric_key(world, missing).replace("metric_snapshots", "component_snapshots")])
    assert [(c["trial_kind"], c["step_name"], c["execution_status"]) for c in components] == [("analysis", "evaluation", "Succeeded")]
    assert world.lake()[_metric_key(world, present)] == b"from the snapshotter"


def test_a_second_run_finds_every_snapshot_present(reconciler, world):
    world.sagemaker.create_pipeline(PipelineName=PIPELINE, PipelineDefinition="{}", RoleArn="arn:aws:iam::123456789012:role/pipeline")
    world.sagemaker.create_experiment(ExperimentName=f"{PIPELINE}-pipeline")
    _run_pipeline(world)
    event = _scheduled(_now() + timedelta(minutes=5))

    first = reconciler.lambda_handler(event, CONTEXT)
    lake = world.lake()
    second = reconciler.lambda_handler(event, CONTEXT)

    assert len(first["snapshots_written"]) == 1
    assert (second["snapshots_written"], second["snapshots_present"]) == ([], 1)
    assert world.lake() == lake


def test_a_configured_pipeline_that_does_not_exist_is_reported(reconciler, world):
    summary = reconciler.lambda_handler(_scheduled(_now()), CONTEXT)

    assert summary["missing_pipelines"] == [PIPELINE]
    assert summary["executions_finished"] == 0


def test_the_sweep_checks_names_created_since_the_last_sweep(reconciler, world):
    sm = world.sagemaker
    sm.create_experiment(ExperimentName="churn-prediction-eda-alice")
    sm.create_experiment(ExperimentName="churnexperiment")
    sm.create_experiment(ExperimentName="churn-prediction-prod-pipeline")  # prod's deployment checks it
    sm.create_trial(TrialName="churn-prediction-eda-alice-20260102-feature-selection", ExperimentName="churn-prediction-eda-alice")
    first_run = _now() + timedelta(hours=1)

    summary = reconciler.lambda_handler(_scheduled(first_run), CONTEXT)

    assert (summary["names_checked"], summary["names_skipped"]) == (3, 1)
    assert summary["violations"] == ["churnexperiment: [missing-kind-word]"]
    audits = [decode_records(body)[0] for key, body in world.lake().items() if key.startswith("audit/naming/")]
    assert {(a["resource_name"], a["verdict"], a["source"]) for a in audits} == {
        ("churn-prediction-eda-alice", "compliant", "sweep"),
        ("churnexperiment", "violation", "sweep"),
        ("churn-prediction-eda-alice-20260102-feature-selection", "compliant", "sweep"),
    }
    assert {a["checked_at"] for a in audits} == {first_run.isoformat(timespec="milliseconds").replace("+00:00", "Z")}
    assert [n["resource_name"] for n in world.notices()] == ["churnexperiment"]
    experiment = sm.describe_experiment(ExperimentName="churnexperiment")["ExperimentArn"]
    assert world.tags(experiment) == {"mlmeta:naming": "violation"}
    marker = json.loads(world.lake()[MARKER])
    assert marker == {"last_sweep": first_run.isoformat(timespec="milliseconds").replace("+00:00", "Z")}

    later = reconciler.lambda_handler(_scheduled(first_run + timedelta(hours=1)), CONTEXT)

    assert (later["names_checked"], later["violations"]) == (0, [])
    assert later["sweep_since"] == (first_run - timedelta(minutes=15)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_the_sweep_marker_never_moves_backwards(reconciler, world):
    now = _now()
    reconciler.lambda_handler(_scheduled(now), CONTEXT)

    reconciler.lambda_handler(_scheduled(now - timedelta(hours=6)), CONTEXT)

    assert json.loads(world.lake()[MARKER])["last_sweep"] == now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_only_finished_executions_are_checked_and_a_snapshot_across_midnight_is_found(reconciler, world):
    """Stubber for SageMaker (moto's executions are all Succeeded, ending now): one execution still
    Executing, one whose snapshot is in the 2nd's partition (the event's executionEndTime, 23:59:58)
    though its LastModifiedTime is after midnight. The listing of each day finds it, so it is not even
    described. The lake is moto's S3."""
    now = datetime(2026, 1, 3, 6, 0, tzinfo=timezone.utc)
    base = "arn:aws:sagemaker:ap-northeast-1:123456789012:pipeline/churn-prediction-dev/execution/"
    world.s3.put_object(Bucket=LAKE_BUCKET, Key="raw/metric_snapshots/dt=2026-01-02/bbbbbbbbbbbb.json.gz", Body=b"x")
    with Stubber(reconciler.sagemaker) as stub:
        stub.add_response("list_pipeline_executions", {"PipelineExecutionSummaries": [
            {"PipelineExecutionArn": base + "aaaaaaaaaaaa", "StartTime": now - timedelta(hours=1), "PipelineExecutionStatus": "Executing"},
            {"PipelineExecutionArn": base + "bbbbbbbbbbbb", "StartTime": now - timedelta(hours=7), "PipelineExecutionStatus": "Succeeded"},
        ]}, {"PipelineName": PIPELINE, "CreatedAfter": now - timedelta(hours=48), "SortBy": "CreationTime", "SortOrder": "Descending",
             "MaxResults": 100})
        for operation in ("list_experiments", "list_trials"):
            stub.add_response(operation, {}, {"CreatedAfter": ANY, "CreatedBefore": now, "SortBy": "CreationTime",
                                              "SortOrder": "Ascending", "MaxResults": 100})

        summary = reconciler.lambda_handler(_scheduled(now), CONTEXT)

        stub.assert_no_pending_responses()
    assert (summary["executions_finished"], summary["snapshots_present"], summary["snapshots_written"]) == (1, 1, [])
    assert summary["snapshot_days_listed"] == ["2026-01-01", "2026-01-02", "2026-01-03"]


@contextmanager
def api_calls(*clients):
    """The names of the API calls made through ``clients`` (botocore's provide-client-params fires once per call)."""
    calls: list[str] = []

    def record(model, **_) -> None:
        calls.append(model.name)

    for client in clients:
        client.meta.events.register("provide-client-params", record)
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister("provide-client-params", record)


def test_only_missing_snapshots_are_described_and_each_day_is_listed_once(reconciler, world):
    """1,000 executions a day need one listing per day, not a DescribePipelineExecution and a HeadObject each."""
    world.sagemaker.create_pipeline(PipelineName=PIPELINE, PipelineDefinition="{}", RoleArn="arn:aws:iam::123456789012:role/pipeline")
    world.sagemaker.create_experiment(ExperimentName=f"{PIPELINE}-pipeline")
    arns = [_run_pipeline(world) for _ in range(6)]
    missing = arns[2]
    for arn in arns:
        if arn != missing:
            world.s3.put_object(Bucket=LAKE_BUCKET, Key=_metric_key(world, arn), Body=b"from the snapshotter")
    with api_calls(reconciler.CLIENTS.sagemaker, reconciler.CLIENTS.s3) as calls:
        summary = reconciler.lambda_handler(_scheduled(_now() + timedelta(minutes=5)), CONTEXT)

    assert (summary["executions_finished"], summary["snapshots_present"], summary["snapshots_written"]) == (6, 5, [missing])
    assert calls.count("DescribePipelineExecution") == 1
    assert calls.count("HeadObject") == 0
    assert calls.count("ListObjectsV2") == len(summary["snapshot_days_listed"]) in (3, 4)
