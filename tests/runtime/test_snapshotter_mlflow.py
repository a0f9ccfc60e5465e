"""The snapshotter and the reconciler on the MLflow backend: trial 1.2 read from the REAL MLflow server
(recorded there by the evaluate step's own code), trial 1.1 from SageMaker (Stubber with AWS's shapes,
or moto), the lake in moto's S3. Every test uses its own execution id, so the shared server's runs never
collide."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from lake_rows import satisfies_schema
from mlmeta_contract.lake.records import decode_records
from mlmeta_contract.lake.schema import COMPONENT_SNAPSHOTS, METRIC_SNAPSHOTS
from mlmeta.local.mlflow_server import free_port
from mlmeta_contract.naming import DEFAULT_CONVENTION
from mlmeta_contract.mlflow.client import MlflowClient, MlflowUnreachable
from mlmeta_contract.mlflow.names import TAG_METRICS_LOGGED, pipeline_run_names
from mlmeta_contract.mlflow.times import milliseconds
from mlmeta_runtime.pipelines import identify_execution
from pipelines.common import tracking
from pipelines.common.mlflow_tracking import MlflowAnalysisRun
from runtime_shapes import ACCOUNT, ENVIRONMENT_TRIAL, REGION, search_request, search_response, trial_components
from runtime_world import CONTEXT, LAKE_BUCKET, load_event
from snapshotter.completeness import MetricsNotSearchableYet, marker_key
from snapshotter.mlflow_runs import MlflowAnalysisTrials, metric_summary
from snapshotter.snapshot import FinishedExecution, snapshot_execution

PIPELINE = "churn-prediction-dev"
START = datetime(2026, 1, 2, 9, 0, 0, tzinfo=timezone.utc)
END = datetime(2026, 1, 2, 9, 47, 12, 345000, tzinfo=timezone.utc)
RECORD: dict[str, Any] = {
    "parameters": {"decision_threshold": 0.5, "test_rows": 180, "test_positive_rate": 0.2611, "model": "logistic"},
    "metrics": {"auc": 0.91, "accuracy": 0.86, "f1": 0.79},
    "input_artifacts": {"model": "s3://mlmeta-dev-artifacts/x/model.tar.gz", "test": "s3://mlmeta-dev-artifacts/x/test"},
    "output_artifacts": {"evaluation": "s3://mlmeta-dev-artifacts/x/evaluation"},
    "start_time": END - timedelta(minutes=3, microseconds=250),
    "end_time": END,
}


@pytest.fixture
def mlflow(mlflow_server) -> MlflowClient:
    return MlflowClient(mlflow_server.tracking_uri)


def new_execution_arn() -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{PIPELINE}/execution/{uuid.uuid4().hex[:12]}"


def finished(execution_arn: str) -> FinishedExecution:
    pipeline = identify_execution(execution_arn, convention=DEFAULT_CONVENTION, environment="dev")
    return FinishedExecution(pipeline=pipeline, status="Succeeded", start=START, end=END)


def step_execution(execution_arn: str) -> tracking.StepExecution:
    return tracking.StepExecution("churn-prediction", "dev", execution_arn.rsplit("/", 1)[1], execution_arn)


class RecordingSageMaker:
    """What the SageMaker path's evaluate step sends (AnalysisTrial), kept to answer Search as AWS would."""

    def __init__(self) -> None:
        self.component: dict[str, Any] = {}
        self.metric_data: list[dict[str, Any]] = []

    def create_trial(self, **kwargs: Any) -> dict[str, str]:
        return {"TrialArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:experiment-trial/{kwargs['TrialName']}"}

    def create_trial_component(self, **kwargs: Any) -> dict[str, str]:
        self.component = kwargs
        return {"TrialComponentArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:experiment-trial-component/{kwargs['TrialComponentName']}"}

    def associate_trial_component(self, **kwargs: Any) -> dict[str, str]:
        return {}

    def batch_put_metrics(self, **kwargs: Any) -> dict[str, Any]:
        self.metric_data += kwargs["MetricData"]
        return {"Errors": []}

    def search_shape(self, trial: str, experiment: str) -> dict[str, Any]:
        """Search's TrialComponent for what was recorded: one value per metric, so Count 1 and no StdDev
        (SageMaker's standard deviation of one value is not a number; the lake keeps none)."""
        summaries = [
            {"MetricName": d["MetricName"], "TimeStamp": d["Timestamp"], "Last": d["Value"], "Min": d["Value"],
             "Max": d["Value"], "Avg": d["Value"], "Count": 1}
            for d in self.metric_data
        ]
        shown = {key: value for key, value in self.component.items() if key != "Tags"}
        return {**shown, "Metrics": summaries, "Parents": [{"TrialName": trial, "ExperimentName": experiment}],
                "Tags": self.component.get("Tags", [])}


def record_on_sagemaker(execution_arn: str) -> dict[str, Any]:
    fake = RecordingSageMaker()
    trial = tracking.AnalysisTrial(step_execution(execution_arn), sagemaker=fake, metrics=fake)
    trial.record(**RECORD)
    return fake.search_shape(trial.trial_name, trial.experiment_name)


def record_on_mlflow(client: MlflowClient, execution_arn: str) -> None:
    MlflowAnalysisRun(step_execution(execution_arn), client=client).record(**RECORD)


def stub_environment_trial(stub: Stubber, execution: FinishedExecution) -> None:
    # Trial 1.1's job components (runtime_shapes), tagged with their steps, under this execution's trial name.
    stub.add_response("search", search_response(trial_components(ENVIRONMENT_TRIAL, step_tags=True)),
                      search_request(execution.pipeline.environment_trial))


def snapshot_rows(world, sagemaker, execution: FinishedExecution, **options: Any) -> tuple[list[dict], list[dict]]:
    result = snapshot_execution(sagemaker, world.s3, execution, bucket=LAKE_BUCKET, convention=DEFAULT_CONVENTION,
                                steps=lambda arn: pytest.fail("every component has its step"), metrics_namespace="mlmeta",
                                now=lambda: END + timedelta(days=15), **options)
    assert result.status == "written"
    lake = world.lake()
    rows = tuple(decode_records(lake[key]) for key in result.keys)
    for key in lake:
        world.s3.delete_object(Bucket=LAKE_BUCKET, Key=key)
    return rows[0], rows[1]


def test_both_backends_give_the_same_lake_rows_for_the_same_execution(world, mlflow):
    execution_arn = new_execution_arn()
    execution = finished(execution_arn)
    sagemaker = boto3.client("sagemaker", region_name=REGION)

    analysis = record_on_sagemaker(execution_arn)
    with Stubber(sagemaker) as stub:
        stub_environment_trial(stub, execution)
        stub.add_response("search", search_response([analysis]), search_request(execution.pipeline.analysis_trial))
        on_sagemaker = snapshot_rows(world, sagemaker, execution)
        stub.assert_no_pending_responses()

    record_on_mlflow(mlflow, execution_arn)
    with Stubber(sagemaker) as stub:
        stub_environment_trial(stub, execution)
        on_mlflow = snapshot_rows(world, sagemaker, execution, trials_from=MlflowAnalysisTrials(sagemaker, mlflow))
        stub.assert_no_pending_responses()

    for rows, table in zip(on_mlflow, (COMPONENT_SNAPSHOTS, METRIC_SNAPSHOTS)):
        satisfies_schema(rows, table)
    # No source-specific id reaches the rows (an analysis component has no source job on either backend).
    assert on_mlflow == on_sagemaker
    components, metrics = on_mlflow
    evaluation = next(row for row in components if row["trial_kind"] == "analysis")
    assert evaluation["parameters"] == {"decision_threshold": "0.5", "model": "logistic", "test_positive_rate": "0.2611",
                                        "test_rows": "180", "mlmeta:metrics-logged": "3"}
    assert evaluation["end_time"] == "2026-01-02T09:47:12.345Z" and evaluation["status"] == "Completed"
    assert sorted((row["metric_name"], row["metric_value"]) for row in metrics if row["trial_kind"] == "analysis") == [
        ("accuracy", 0.86), ("auc", 0.91), ("f1", 0.79)]


def test_the_handler_reads_the_executions_run_from_mlflow(handlers, world, mlflow, monkeypatch):
    snapshotter = handlers["snapshotter"]
    execution_arn = new_execution_arn()
    event = json.loads(json.dumps(load_event("pipeline_execution_succeeded.json")).replace(
        load_event("pipeline_execution_succeeded.json")["detail"]["pipelineExecutionArn"], execution_arn))
    record_on_mlflow(mlflow, execution_arn)
    monkeypatch.setattr(snapshotter, "mlflow", mlflow)

    with Stubber(snapshotter.sagemaker) as stub:
        stub_environment_trial(stub, finished(execution_arn))
        answer = snapshotter.lambda_handler(event, CONTEXT)
        stub.assert_no_pending_responses()

    assert answer["status"] == "written" and answer["missing_metrics"] == 0
    metrics = decode_records(world.lake()[answer["keys"][1]])
    assert {row["metric_name"] for row in metrics if row["trial_kind"] == "analysis"} == {"auc", "accuracy", "f1"}
    assert {row["pipeline_execution_arn"] for row in metrics} == {execution_arn}


def test_an_unreachable_mlflow_raises_so_lambda_retries_and_writes_nothing(handlers, world, monkeypatch):
    snapshotter = handlers["snapshotter"]
    closed = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setattr(snapshotter, "mlflow", MlflowClient(closed, timeout=2))
    with Stubber(snapshotter.sagemaker) as stub:
        stub_environment_trial(stub, finished(load_event("pipeline_execution_succeeded.json")["detail"]["pipelineExecutionArn"]))
        with pytest.raises(MlflowUnreachable, match=closed):
            snapshotter.lambda_handler(load_event("pipeline_execution_succeeded.json"), CONTEXT)
    assert world.lake() == {}


def half_recorded(client: MlflowClient, execution_arn: str) -> None:
    """A step that failed half-way: the run says 3 metrics, MLflow holds 1."""
    names = pipeline_run_names(use_case="churn-prediction", env="dev", execution_id=execution_arn.rsplit("/", 1)[1],
                               execution_arn=execution_arn, step="evaluation")
    experiment_id = client.ensure_experiment(names.experiment_name, tags=names.experiment_tags)
    run = client.create_run(experiment_id, run_name=names.run_name, start_time_ms=milliseconds(START),
                            tags={**names.run_tags, TAG_METRICS_LOGGED: "3"})
    client.log_batch(run["info"]["run_id"], metrics=[{"key": "auc", "value": 0.9, "timestamp": milliseconds(END), "step": 0}])


def test_a_run_short_of_its_metrics_is_retried_then_written_with_a_marker(world, mlflow):
    execution_arn = new_execution_arn()
    execution = finished(execution_arn)
    half_recorded(mlflow, execution_arn)
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    options: dict[str, Any] = {"bucket": LAKE_BUCKET, "convention": DEFAULT_CONVENTION, "steps": lambda arn: {},
                               "metrics_namespace": "mlmeta", "trials_from": MlflowAnalysisTrials(sagemaker, mlflow)}
    with Stubber(sagemaker) as stub:
        stub_environment_trial(stub, execution)
        with pytest.raises(MetricsNotSearchableYet, match="shows 1 of the 3 metrics"):
            snapshot_execution(sagemaker, world.s3, execution, now=lambda: END + timedelta(minutes=5), **options)
    assert world.lake() == {}

    with Stubber(sagemaker) as stub:
        stub_environment_trial(stub, execution)
        result = snapshot_execution(sagemaker, world.s3, execution, now=lambda: END + timedelta(days=15), **options)
    assert (result.status, result.missing_metrics) == ("written", 2)
    assert marker_key(execution.pipeline.execution_id) in world.lake()


def test_the_reconciler_snapshots_a_missed_execution_from_mlflow(handlers, world, mlflow, monkeypatch):
    reconciler = handlers["reconciler"]
    world.sagemaker.create_pipeline(PipelineName=PIPELINE, PipelineDefinition="{}", RoleArn=f"arn:aws:iam::{ACCOUNT}:role/pipeline")
    execution_arn = world.sagemaker.start_pipeline_execution(PipelineName=PIPELINE)["PipelineExecutionArn"]
    record_on_mlflow(mlflow, execution_arn)
    monkeypatch.setattr(reconciler, "CLIENTS", dataclasses.replace(reconciler.CLIENTS, mlflow=mlflow))
    event = load_event("scheduled_event.json")
    event["time"] = (datetime.now(timezone.utc) + timedelta(minutes=5)).isoformat(timespec="seconds").replace("+00:00", "Z")

    summary = reconciler.lambda_handler(event, CONTEXT)

    assert summary["snapshots_written"] == [execution_arn]
    metric_keys = [key for key in world.lake() if key.startswith("raw/metric_snapshots/")]
    (metrics,) = [decode_records(world.lake()[key]) for key in metric_keys]
    assert sorted(row["metric_name"] for row in metrics) == ["accuracy", "auc", "f1"]
    assert {row["trial_component_name"] for row in metrics} == {f"{PIPELINE}-{execution_arn.rsplit('/', 1)[1]}-analysis-evaluation"}


def test_a_metric_logged_several_times_is_summarised_over_its_history(mlflow):
    experiment_id = mlflow.ensure_experiment(f"history-{uuid.uuid4().hex[:8]}")
    run_id = mlflow.create_run(experiment_id, run_name="r", start_time_ms=milliseconds(START))["info"]["run_id"]
    values = [(0, 0.5), (1, 0.7), (2, 0.6)]
    mlflow.log_batch(run_id, metrics=[{"key": "loss", "value": v, "timestamp": milliseconds(END) + step, "step": step}
                                      for step, v in values])
    (latest,) = mlflow.get_run(run_id)["data"]["metrics"]
    summary = metric_summary(latest, mlflow.get_metric_history(run_id, "loss", page_size=2))
    assert summary["Last"] == 0.6 and summary["Count"] == 3
    assert (summary["Min"], summary["Max"]) == (0.5, 0.7)
    assert summary["Avg"] == pytest.approx(0.6) and summary["StdDev"] == pytest.approx(0.1)
    assert summary["TimeStamp"] == END + timedelta(milliseconds=2)
