"""Snapshots wait for SageMaker Search to show every metric the evaluation step logged (it records how
many, pipelines/common/tracking.py), and an incomplete snapshot is overwritten by a complete one later.

Search lagging behind BatchPutMetrics is played in moto: the fixture execution is put into moto as
Pipelines and the evaluation step leave it (tests/runtime/moto_gaps.py, whose gap filler makes Search
return the logged metrics), then one of the analysis component's metrics is taken out of moto's store
("not searchable yet") and logged again later ("Search caught up")."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest
from moto.sagemaker.models import sagemaker_backends

from mlmeta_contract.lake.records import decode_records
from mlmeta_contract.naming.tags import METRICS_LOGGED
from moto_gaps import in_process_metrics_client, pipelines_ran, sagemaker_like_aws
from runtime_shapes import ACCOUNT, ANALYSIS_COMPONENT, EXECUTION_ARN, EXECUTION_END, METRICS, REGION, SNAPSHOT_DT
from runtime_world import CONTEXT, load_event
from snapshotter import completeness

METRIC_KEY = f"raw/metric_snapshots/dt={SNAPSHOT_DT}/p4jn9xou8a8s.json.gz"
MARKER_KEY = "state/reconciler/incomplete-snapshots/p4jn9xou8a8s.json"
LAGGING = "f1"  # the analysis metric Search does not show yet
ANALYSIS_METRICS = sorted(m["MetricName"] for m in METRICS[ANALYSIS_COMPONENT])


@pytest.fixture
def execution_ran(world):
    """The fixture execution in moto, Search not showing the analysis component's f1 yet."""
    with sagemaker_like_aws():
        pipelines_ran(world.sagemaker)
        del sagemaker_backends[ACCOUNT][REGION].trial_components[ANALYSIS_COMPONENT].metrics[LAGGING]
        yield world


def search_catches_up() -> None:
    [f1] = [m for m in METRICS[ANALYSIS_COMPONENT] if m["MetricName"] == LAGGING]
    in_process_metrics_client().batch_put_metrics(
        TrialComponentName=ANALYSIS_COMPONENT, MetricData=[{"MetricName": LAGGING, "Timestamp": f1["TimeStamp"], "Step": 0, "Value": f1["Last"]}])


def ended(minutes_ago: float) -> dict:
    event = load_event("pipeline_execution_succeeded.json")
    event["detail"]["executionEndTime"] = (datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)).isoformat()
    return event


def analysis_metrics(world, key: str) -> list[str]:
    return sorted(r["metric_name"] for r in decode_records(world.lake()[key]) if r["trial_kind"] == "analysis")


def test_shortly_after_the_end_a_lagging_search_raises_and_writes_nothing(handlers, execution_ran, logs):
    world = execution_ran
    with pytest.raises(completeness.MetricsNotSearchableYet, match="shows 2 of the 3 metrics it logged"):
        handlers["snapshotter"].lambda_handler(ended(minutes_ago=2), CONTEXT)

    assert world.lake() == {}
    warning = logs.at("WARNING")[-1]
    assert warning["error_class"] == "transient" and "raising so that Lambda retries" in warning["message"]


def test_lambdas_retry_once_search_caught_up_writes_every_metric(handlers, execution_ran):
    world, event = execution_ran, ended(minutes_ago=2)
    with pytest.raises(completeness.MetricsNotSearchableYet):
        handlers["snapshotter"].lambda_handler(copy.deepcopy(event), CONTEXT)
    search_catches_up()

    answer = handlers["snapshotter"].lambda_handler(event, CONTEXT)

    assert (answer["status"], answer["missing_metrics"]) == ("written", 0)
    dt = answer["keys"][1].split("dt=")[1].split("/")[0]
    assert analysis_metrics(world, f"raw/metric_snapshots/dt={dt}/p4jn9xou8a8s.json.gz") == ANALYSIS_METRICS
    assert not any(key.startswith(completeness.INCOMPLETE_MARKERS_PREFIX) for key in world.lake())


def test_an_incomplete_snapshot_is_marked_and_the_reconciler_overwrites_it_once_complete(handlers, execution_ran):
    """Past the settle time the snapshotter writes what Search shows, marked; the reconciler's next run,
    with every metric searchable, rewrites the same objects complete and removes the marker."""
    world = execution_ran
    late = handlers["snapshotter"].lambda_handler(load_event("pipeline_execution_succeeded.json"), CONTEXT)  # ended in January

    assert (late["status"], late["missing_metrics"]) == ("written", 1)
    assert analysis_metrics(world, METRIC_KEY) == ["accuracy", "auc"]
    assert MARKER_KEY in world.lake()

    search_catches_up()
    run_at = EXECUTION_END + timedelta(hours=3)
    scheduled = {**load_event("scheduled_event.json"), "time": run_at.isoformat().replace("+00:00", "Z")}
    summary = handlers["reconciler"].lambda_handler(scheduled, CONTEXT)

    assert summary["snapshots_completed"] == [EXECUTION_ARN]
    assert analysis_metrics(world, METRIC_KEY) == ANALYSIS_METRICS
    assert len(decode_records(world.lake()[METRIC_KEY])) == 5  # the train component's two are still there
    assert MARKER_KEY not in world.lake()


def test_an_incomplete_snapshot_stays_marked_while_search_lags_and_is_given_up_past_the_window(handlers, execution_ran):
    world = execution_ran
    handlers["snapshotter"].lambda_handler(load_event("pipeline_execution_succeeded.json"), CONTEXT)
    reconciler = handlers["reconciler"]

    def run(at: datetime) -> dict:
        return reconciler.lambda_handler({**load_event("scheduled_event.json"), "time": at.isoformat().replace("+00:00", "Z")}, CONTEXT)

    within = run(EXECUTION_END + timedelta(hours=3))
    assert (within["snapshots_incomplete"], within["snapshots_completed"]) == ([EXECUTION_ARN], [])
    assert MARKER_KEY in world.lake()

    past = run(EXECUTION_END + timedelta(hours=49))
    assert past["incomplete_given_up"] == [EXECUTION_ARN]
    assert MARKER_KEY not in world.lake()
    assert analysis_metrics(world, METRIC_KEY) == ["accuracy", "auc"]  # what Search showed is kept


def test_the_reconciler_waits_for_a_missing_snapshot_whose_metrics_are_settling_and_goes_on(handlers, world):
    """moto's executions end as they start: one whose analysis component logged two metrics Search does
    not show yet is left for the next run, the other one is snapshotted."""
    sm = world.sagemaker
    pipeline = "churn-prediction-dev"
    sm.create_pipeline(PipelineName=pipeline, PipelineDefinition="{}", RoleArn=f"arn:aws:iam::{ACCOUNT}:role/pipeline")
    sm.create_experiment(ExperimentName=f"{pipeline}-pipeline")
    arns = []
    for logged in (2, 0):
        arn = sm.start_pipeline_execution(PipelineName=pipeline)["PipelineExecutionArn"]
        trial = f"{pipeline}-{arn.rsplit('/', 1)[1]}-analysis"
        sm.create_trial(TrialName=trial, ExperimentName=f"{pipeline}-pipeline")
        sm.create_trial_component(TrialComponentName=f"{trial}-evaluation",
                                  Parameters={METRICS_LOGGED: {"NumberValue": float(logged)}})
        sm.associate_trial_component(TrialComponentName=f"{trial}-evaluation", TrialName=trial)
        arns.append(arn)
    now = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(minutes=1)

    with sagemaker_like_aws():
        summary = handlers["reconciler"].lambda_handler(
            {**load_event("scheduled_event.json"), "time": now.isoformat().replace("+00:00", "Z")}, CONTEXT)

    assert (summary["snapshots_waiting"], summary["snapshots_written"]) == ([arns[0]], [arns[1]])
    assert [key for key in world.lake() if arns[0].rsplit("/", 1)[1] in key] == []
