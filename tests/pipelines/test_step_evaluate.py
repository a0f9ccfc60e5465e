"""The evaluate step end to end on a small generated data set, with SageMaker (trial 1.2) in moto.

moto 5.2.5 implements CreateTrial, CreateTrialComponent, AssociateTrialComponent and SageMaker Metrics'
BatchPutMetrics (metrics come back in DescribeTrialComponent), so no Stubber is needed here; it drops
the Tags of create_* calls, so the tags sent are checked on the requests themselves.
"""

from __future__ import annotations

import json

import boto3
import numpy as np
import pytest
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score
from step_fixtures import (
    COMPONENT,
    ENV,
    EXECUTION_ARN,
    EXECUTION_ID,
    EXPERIMENT,
    REGION,
    TRIAL,
    USE_CASE,
    load_sklearn_model,
    read_split,
    train_sklearn_model,
)

from pipelines.churn_prediction import evaluate, preprocess

MODEL_URI = "s3://artifacts/executions/p4jn9xou8a8s/model/pipelines-p4jn9xou8a8s-train/output/model.tar.gz"
TEST_URI = "s3://artifacts/executions/p4jn9xou8a8s/test"
EVALUATION_URI = "s3://artifacts/executions/p4jn9xou8a8s/evaluation"
EXPECTED_TAGS = {
    "mlmeta:use-case": USE_CASE,
    "mlmeta:environment": ENV,
    "mlmeta:pipeline-execution-arn": EXECUTION_ARN,
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """Preprocessed splits and a model trained on them, built once for the module."""
    root = tmp_path_factory.mktemp("evaluate")
    assert preprocess.main(["--rows", "600", "--seed", "11", "--output-base", str(root / "data")]) == 0
    model = train_sklearn_model(root / "data" / "train" / "train.csv", root / "model")
    return root, model


def argv(root, **overrides) -> list[str]:
    values = {
        "use-case": USE_CASE,
        "env": ENV,
        "execution-id": EXECUTION_ID,
        "execution-arn": EXECUTION_ARN,
        "region": REGION,
        "model-uri": MODEL_URI,
        "test-uri": TEST_URI,
        "evaluation-uri": EVALUATION_URI,
        "model-dir": str(root / "model"),
        "test-dir": str(root / "data" / "test"),
        "output-dir": str(root / "evaluation"),
        **overrides,
    }
    return [item for key, value in values.items() for item in (f"--{key}", value)]


def run(root, **overrides) -> int:
    return evaluate.main(argv(root, **overrides), load_model=load_sklearn_model)


def capture_requests(client, operations: list[str]) -> dict[str, list[dict]]:
    """The parameters of each call to ``operations``, as sent (moto keeps no tags from create_*)."""
    sent: dict[str, list[dict]] = {name: [] for name in operations}
    for name in operations:
        client.meta.events.register(f"provide-client-params.sagemaker.{name}", lambda params, n=name, **_: sent[n].append(dict(params)))
    return sent


@pytest.fixture
def clients(sagemaker_moto, monkeypatch):
    """The step's own clients, created the way it creates them, but observable from the test."""
    session = boto3.Session(region_name=REGION)
    sagemaker, metrics = session.client("sagemaker"), session.client("sagemaker-metrics")
    monkeypatch.setattr(evaluate, "boto_session", lambda region: _FixedSession(sagemaker, metrics, region))
    return sagemaker, metrics


class _FixedSession:
    def __init__(self, sagemaker, metrics, region):
        assert region == REGION
        self._clients = {"sagemaker": sagemaker, "sagemaker-metrics": metrics}

    def client(self, service):
        return self._clients[service]


def test_metrics_equal_sklearns_on_the_same_data_and_the_report_holds_them(workspace, clients):
    root, model = workspace
    assert run(root) == 0
    labels, features = read_split(root / "data" / "test" / "test.csv")
    scores = model.predict_proba(features)[:, 1]
    predicted = (scores >= 0.5).astype(int)
    expected = {
        "precision": precision_score(labels, predicted),
        "recall": recall_score(labels, predicted),
        "f1": f1_score(labels, predicted),
        "auc": roc_auc_score(labels, scores),
    }
    report = json.loads((root / "evaluation" / "evaluation.json").read_text())
    assert {name: entry["value"] for name, entry in report["binary_classification_metrics"].items()} == pytest.approx(expected)
    # A model better than chance on this generated data, so the numbers are not vacuous.
    assert expected["auc"] > 0.7


def test_trial_and_component_are_created_by_the_convention_and_associated(workspace, clients):
    sagemaker, _ = clients
    sent = capture_requests(sagemaker, ["CreateTrial", "CreateTrialComponent"])
    assert run(workspace[0]) == 0

    trial = sagemaker.describe_trial(TrialName=TRIAL)
    assert trial["ExperimentName"] == EXPERIMENT
    summaries = sagemaker.list_trial_components(TrialName=TRIAL)["TrialComponentSummaries"]
    assert [s["TrialComponentName"] for s in summaries] == [COMPONENT]
    assert [request["TrialName"] for request in sent["CreateTrial"]] == [TRIAL]

    tags_of = lambda request: {t["Key"]: t["Value"] for t in request["Tags"]}  # noqa: E731
    assert tags_of(sent["CreateTrial"][0]) == {**EXPECTED_TAGS, "mlmeta:kind": "analysis-trial"}
    assert tags_of(sent["CreateTrialComponent"][0]) == {**EXPECTED_TAGS, "mlmeta:kind": "analysis-component"}


def test_the_component_is_named_after_the_step_the_pipeline_gives(workspace, clients):
    """The pipeline passes its step's name (--step), so the analysis component {trial}-{step} and the
    step's own job component carry one step name in the lake (docs/pipelines.md)."""
    sagemaker, _ = clients
    assert run(workspace[0], step="scoring") == 0

    summaries = sagemaker.list_trial_components(TrialName=TRIAL)["TrialComponentSummaries"]
    assert [s["TrialComponentName"] for s in summaries] == [f"{TRIAL}-scoring"]


def test_component_holds_parameters_artifacts_and_metrics(workspace, clients):
    sagemaker, _ = clients
    root = workspace[0]
    assert run(root, **{"decision-threshold": "0.4"}) == 0
    component = sagemaker.describe_trial_component(TrialComponentName=COMPONENT)
    labels, _ = read_split(root / "data" / "test" / "test.csv")

    assert component["Status"] == {"PrimaryStatus": "Completed"}
    assert component["Parameters"] == {
        "decision_threshold": {"NumberValue": 0.4},
        "test_rows": {"NumberValue": float(len(labels))},
        "test_positive_rate": {"NumberValue": pytest.approx(labels.mean())},
        # How many metrics the step logs, for the snapshotter to tell a complete Search answer from a lagging one.
        "mlmeta:metrics-logged": {"NumberValue": float(len(component["Metrics"]))},
    }
    assert len(component["Metrics"]) == 4
    assert component["InputArtifacts"] == {"model": {"Value": MODEL_URI}, "test": {"Value": TEST_URI}}
    assert component["OutputArtifacts"] == {"evaluation": {"Value": EVALUATION_URI}}

    report = json.loads((root / "evaluation" / "evaluation.json").read_text())["binary_classification_metrics"]
    logged = {m["MetricName"]: m["Last"] for m in component["Metrics"]}
    assert logged == pytest.approx({name: entry["value"] for name, entry in report.items()})


TRIAL_ARN = f"arn:aws:sagemaker:{REGION}:123456789012:experiment-trial/{TRIAL}"
COMPONENT_ARN = f"arn:aws:sagemaker:{REGION}:123456789012:experiment-trial-component/{COMPONENT}"


def tag_list(kind: str) -> list[dict[str, str]]:
    """The tags as the step sends them: required tags in their order, then the execution ARN."""
    ordered = {"mlmeta:use-case": USE_CASE, "mlmeta:environment": ENV, "mlmeta:kind": kind, "mlmeta:pipeline-execution-arn": EXECUTION_ARN}
    return [{"Key": key, "Value": value} for key, value in ordered.items()]


def already_exists(stubber, operation: str, name: str) -> None:
    # The error SageMaker returns for a second Create* of an experiment entity (the SageMaker SDK's
    # own retry logic keys on this code and "already exists").
    stubber.add_client_error(
        operation, service_error_code="ValidationException", service_message=f"{name} already exists.", http_status_code=400
    )


@pytest.fixture
def stubbed_clients(aws_env, monkeypatch):
    """Stubbed clients: moto accepts a second CreateTrial of the same name, where SageMaker refuses it."""
    from botocore.stub import ANY, Stubber

    session = boto3.Session(region_name=REGION)
    sagemaker, metrics = session.client("sagemaker"), session.client("sagemaker-metrics")
    monkeypatch.setattr(evaluate, "boto_session", lambda region: _FixedSession(sagemaker, metrics, region))
    with Stubber(sagemaker) as sm, Stubber(metrics) as mx:
        yield sm, mx, ANY


def test_a_retried_step_adopts_what_the_first_attempt_created(workspace, stubbed_clients):
    sm, mx, any_ = stubbed_clients
    already_exists(sm, "create_trial", TRIAL)
    sm.add_response("describe_trial", {"TrialName": TRIAL, "TrialArn": TRIAL_ARN, "ExperimentName": EXPERIMENT}, {"TrialName": TRIAL})
    sm.add_response("add_tags", {}, {"ResourceArn": TRIAL_ARN, "Tags": tag_list("analysis-trial")})
    already_exists(sm, "create_trial_component", COMPONENT)
    sm.add_response("update_trial_component", {"TrialComponentArn": COMPONENT_ARN}, None)
    sm.add_response("add_tags", {}, {"ResourceArn": COMPONENT_ARN, "Tags": tag_list("analysis-component")})
    already_exists(sm, "associate_trial_component", COMPONENT)
    mx.add_response("batch_put_metrics", {}, {"TrialComponentName": COMPONENT, "MetricData": any_})

    assert run(workspace[0]) == 0
    sm.assert_no_pending_responses()
    mx.assert_no_pending_responses()


def test_a_trial_of_the_same_name_in_another_experiment_is_not_adopted(workspace, stubbed_clients, capsys):
    sm, _, _ = stubbed_clients
    already_exists(sm, "create_trial", TRIAL)
    sm.add_response("describe_trial", {"TrialName": TRIAL, "TrialArn": TRIAL_ARN, "ExperimentName": "someone-else"}, {"TrialName": TRIAL})
    with pytest.raises(RuntimeError, match="already exists in experiment 'someone-else'"):
        run(workspace[0])


def test_metrics_rejected_by_sagemaker_fail_the_step(workspace, stubbed_clients):
    sm, mx, _ = stubbed_clients
    sm.add_response("create_trial", {"TrialArn": TRIAL_ARN}, None)
    sm.add_response("create_trial_component", {"TrialComponentArn": COMPONENT_ARN}, None)
    sm.add_response("associate_trial_component", {"TrialComponentArn": COMPONENT_ARN, "TrialArn": TRIAL_ARN}, None)
    mx.add_response("batch_put_metrics", {"Errors": [{"Code": "VALIDATION_ERROR", "MetricIndex": 1}]}, None)
    with pytest.raises(RuntimeError, match="BatchPutMetrics rejected metrics of .*-analysis-evaluation: recall \\(VALIDATION_ERROR\\)"):
        run(workspace[0])


def test_a_mismatched_execution_arn_fails_before_any_record(workspace, clients, capsys):
    sagemaker, _ = clients
    other_arn = EXECUTION_ARN.replace(EXECUTION_ID, "zzzzzzzzzzzz")
    assert run(workspace[0], **{"execution-arn": other_arn}) == 1
    assert "does not end with execution id 'p4jn9xou8a8s'" in capsys.readouterr().err
    assert sagemaker.list_trials(ExperimentName=EXPERIMENT)["TrialSummaries"] == []


def test_a_use_case_outside_the_convention_fails_in_one_line(workspace, clients, capsys):
    assert run(workspace[0], **{"use-case": "Churn_Prediction"}) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "use_case 'Churn_Prediction'" in err


def test_missing_model_archive_names_the_input(workspace, clients, tmp_path, capsys):
    assert run(workspace[0], **{"model-dir": str(tmp_path)}) == 1
    assert f"no model.tar.gz in {tmp_path}" in capsys.readouterr().err


def test_the_model_loader_is_swappable_and_gets_the_extracted_archive(workspace, clients):
    seen = []

    def constant_loader(directory):
        seen.append(sorted(p.name for p in directory.iterdir()))
        return lambda features: np.linspace(0.01, 0.99, len(features))

    assert evaluate.main(argv(workspace[0]), load_model=constant_loader) == 0
    assert seen == [["model.pkl"]]
