"""The reconciler against moto: finished executions without a snapshot get one, the others are left
alone; experiments, trials and trial components created since the last sweep go through the naming
guard. moto's pipeline executions finish at once (Succeeded) and create no trials, so the tests create
the trials the pipeline would have; moto ignores CreatedAfter, which the reconciler re-checks itself.
moto's Search cannot filter or sort by CreationTime: ``mlmeta.local.moto_gaps`` answers those as AWS
documents them (active in every test here), and a Stubber test pins the requests with AWS's shapes."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from botocore.stub import ANY, Stubber

from mlmeta.local.moto_gaps import sagemaker_like_aws, set_job_source
from mlmeta_contract.lake.records import decode_records
from runtime_shapes import ACCOUNT, REGION
from runtime_world import CONTEXT, LAKE_BUCKET, load_event

PIPELINE = "churn-prediction-dev"
MARKER = "state/reconciler/naming-sweep.json"


@pytest.fixture
def reconciler(handlers):
    return handlers["reconciler"]


@pytest.fixture(autouse=True)
def search_by_creation_time():
    with sagemaker_like_aws():
        yield


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
    assert {a["checked_at"] for a in audits} == {_iso(first_run)}
    assert [n["resource_name"] for n in world.notices()] == ["churnexperiment"]
    experiment = sm.describe_experiment(ExperimentName="churnexperiment")["ExperimentArn"]
    assert world.tags(experiment) == {"mlmeta:naming": "violation"}
    # The window ends 15 minutes before the run (younger entities are left to the CloudTrail path first).
    marker = json.loads(world.lake()[MARKER])
    assert marker == {"last_sweep": _iso(first_run - timedelta(minutes=15))}

    later = reconciler.lambda_handler(_scheduled(first_run + timedelta(hours=1)), CONTEXT)

    assert (later["names_checked"], later["violations"]) == (0, [])
    assert later["sweep_since"] == _iso(first_run - timedelta(minutes=30))


def test_the_sweep_covers_trial_components_and_leaves_job_components_alone(reconciler, world):
    sm = world.sagemaker
    sm.create_trial_component(TrialComponentName="exp-churn-run-1")  # a person's, off the convention
    sm.create_trial_component(TrialComponentName="churn-prediction-dev-p4jn9xou8a8s-analysis-evaluation")
    job_component = "pipelines-p4jn9xou8a8s-train-8fk2mq0zle-aws-training-job"
    sm.create_trial_component(TrialComponentName=job_component)
    set_job_source(job_component, "arn:aws:sagemaker:ap-northeast-1:123456789012:training-job/pipelines-p4jn9xou8a8s-train-8fk2mq0zle",
                   "SageMakerTrainingJob", region=REGION, account=ACCOUNT)

    summary = reconciler.lambda_handler(_scheduled(_now() + timedelta(hours=1)), CONTEXT)

    assert (summary["names_checked"], summary["names_exempt"]) == (2, 1)
    assert summary["violations"] == ["exp-churn-run-1: [missing-kind-word]"]
    audits = {decode_records(body)[0]["resource_name"]: decode_records(body)[0] for key, body in world.lake().items()
              if key.startswith("audit/naming/")}
    assert sorted(audits) == ["churn-prediction-dev-p4jn9xou8a8s-analysis-evaluation", "exp-churn-run-1"]
    assert (audits["exp-churn-run-1"]["resource_type"], audits["exp-churn-run-1"]["source"]) == ("trial-component", "sweep")
    component = sm.describe_trial_component(TrialComponentName="exp-churn-run-1")["TrialComponentArn"]
    assert world.tags(component) == {"mlmeta:naming": "violation"}
    assert [n["resource_name"] for n in world.notices()] == ["exp-churn-run-1"]


def test_an_entity_the_cloudtrail_path_judged_is_not_audited_or_notified_again_by_the_sweep(handlers, reconciler, world):
    world.sagemaker.create_trial_component(TrialComponentName="exp-churn-run-1")
    handlers["naming_guard"].lambda_handler(load_event("cloudtrail_create_trial_component_SYNTHETIC.json"), CONTEXT)
    lake, [notice] = world.lake(), world.notices()

    summary = reconciler.lambda_handler(_scheduled(_now() + timedelta(hours=1)), CONTEXT)

    assert (summary["names_checked"], summary["names_already_judged"], summary["violations"]) == (0, 1, [])
    assert {k: v for k, v in world.lake().items() if k.startswith("audit/")} == lake  # CloudTrail's record, with its actor
    assert world.notices() == []
    [audit_key] = lake
    assert notice["notice_id"] == audit_key.rsplit("/", 1)[1].removesuffix(".json.gz")


def test_the_sweep_and_the_cloudtrail_path_give_an_entity_the_same_record_and_notice_id(handlers, reconciler, world):
    """Should the sweep judge an entity first (the CloudTrail event comes late, or there is no trail),
    the CloudTrail path later writes the same object: one record per entity, one notice id."""
    world.sagemaker.create_trial_component(TrialComponentName="exp-churn-run-1")
    created = world.sagemaker.describe_trial_component(TrialComponentName="exp-churn-run-1")["CreationTime"]
    reconciler.lambda_handler(_scheduled(_now() + timedelta(hours=1)), CONTEXT)
    [swept_key] = [k for k in world.lake() if k.startswith("audit/")]
    [swept_notice] = world.notices()
    event = load_event("cloudtrail_create_trial_component_SYNTHETIC.json")
    event["detail"]["eventTime"] = _iso(created.astimezone(timezone.utc))  # the call that created it

    handlers["naming_guard"].lambda_handler(event, CONTEXT)

    [audit_key] = [k for k in world.lake() if k.startswith("audit/")]
    [notice] = world.notices()
    assert audit_key == swept_key
    assert notice["notice_id"] == swept_notice["notice_id"]
    assert decode_records(world.lake()[audit_key])[0]["source"] == "cloudtrail"


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
        for resource in ("Experiment", "ExperimentTrial", "ExperimentTrialComponent"):
            stub.add_response("search", {"Results": []}, _sweep_search(resource, since=ANY, until="2026-01-03T05:45:00"))

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
    # One listing per day, and one of the incomplete-snapshot markers (none here).
    assert calls.count("ListObjectsV2") == len(summary["snapshot_days_listed"]) + 1
    assert len(summary["snapshot_days_listed"]) in (3, 4)


def _sweep_search(resource: str, *, since, until) -> dict:
    """The sweep's Search request: created in [since, until), times as Search documents them (YYYY-mm-dd'T'HH:MM:SS)."""
    return {"Resource": resource,
            "SearchExpression": {"Filters": [{"Name": "CreationTime", "Operator": "GreaterThanOrEqualTo", "Value": since},
                                             {"Name": "CreationTime", "Operator": "LessThan", "Value": until}]},
            "SortBy": "CreationTime", "SortOrder": "Ascending", "MaxResults": 100}


def test_the_sweep_searches_each_entity_type_by_creation_time_and_pages(reconciler, world):
    """Stubber with the Search request and response shapes of AWS's API reference (the service model
    checks both): the window's times, 100 a page with NextToken, and a result outside the window
    (returned anyway) left alone."""
    now = datetime(2026, 1, 3, 6, 0, 30, tzinfo=timezone.utc)
    world.s3.put_object(Bucket=LAKE_BUCKET, Key=MARKER, Body=json.dumps({"last_sweep": "2026-01-03T04:45:00.000Z"}).encode())
    trial = "churn-prediction-eda-alice-20260103-feature-selection"
    found = {"Trial": {"TrialName": trial, "TrialArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:experiment-trial/{trial}",
                       "CreationTime": datetime(2026, 1, 3, 5, 0, tzinfo=timezone.utc), "Tags": []}}
    too_late = {"Trial": {"TrialName": "churn-prediction-eda-alice-20260103-later", "CreationTime": now, "Tags": []}}
    window = {"since": "2026-01-03T04:30:00", "until": "2026-01-03T05:45:30"}
    with Stubber(reconciler.sagemaker) as stub:
        stub.add_response("list_pipeline_executions", {"PipelineExecutionSummaries": []}, None)
        stub.add_response("search", {"Results": []}, _sweep_search("Experiment", **window))
        stub.add_response("search", {"Results": [], "NextToken": "page-2"}, _sweep_search("ExperimentTrial", **window))
        stub.add_response("search", {"Results": [found, too_late]}, {**_sweep_search("ExperimentTrial", **window), "NextToken": "page-2"})
        stub.add_response("add_tags", {"Tags": []}, {"ResourceArn": found["Trial"]["TrialArn"], "Tags": [{"Key": "mlmeta:naming", "Value": "compliant"}]})
        stub.add_response("search", {"Results": []}, _sweep_search("ExperimentTrialComponent", **window))

        summary = reconciler.lambda_handler(_scheduled(now), CONTEXT)

        stub.assert_no_pending_responses()
    assert (summary["names_checked"], summary["sweep_since"], summary["sweep_until"]) == (1, "2026-01-03T04:30:00.000Z", "2026-01-03T05:45:30.000Z")
