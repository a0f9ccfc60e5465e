"""MLflow's key rules (keys.py) agree with the real server, and the convention's MLflow names (names.py)."""

from __future__ import annotations

import time
import uuid

import pytest

from mlmeta.naming import NamingError
from mlmeta.naming.tags import TAG_ENVIRONMENT, TAG_KIND, TAG_PIPELINE_EXECUTION_ARN, TAG_USE_CASE
from mlmeta_contract.mlflow.client import MlflowClient, MlflowRejected
from mlmeta_contract.mlflow.keys import InvalidMlflowKey, check_record, key_problem
from mlmeta_contract.mlflow.names import TAG_TRIAL, eda_run_names, execution_filter, pipeline_run_names

ACCEPTED = ["auc", "eval/f1 score", "mlmeta:metrics-logged", "précision", "a.b-c_d", "x" * 250]
REFUSED = ["recall@k", "auc%", "a//b", "a/../b", "/abs", "", "..", "trailing/", "x" * 251, "tab\tkey"]


@pytest.mark.parametrize("key", ACCEPTED)
def test_keys_mlflow_accepts(key):
    assert key_problem(key) is None


@pytest.mark.parametrize("key", REFUSED)
def test_keys_mlflow_refuses(key):
    assert key_problem(key) is not None


def test_the_rules_agree_with_the_real_server(mlflow_server):
    client = MlflowClient(mlflow_server.tracking_uri)
    experiment_id = client.ensure_experiment(f"keys-{uuid.uuid4().hex[:8]}")
    run_id = client.create_run(experiment_id, run_name="keys", start_time_ms=int(time.time() * 1000))["info"]["run_id"]
    server_refuses = {}
    for key in ACCEPTED + REFUSED:
        try:
            client.log_batch(run_id, metrics=[{"key": key, "value": 1.0, "timestamp": 0, "step": 0}])
            server_refuses[key] = False
        except MlflowRejected:
            server_refuses[key] = True
    assert server_refuses == {key: key_problem(key) is not None for key in ACCEPTED + REFUSED}


def test_check_record_names_the_first_bad_key_and_what_to_do():
    with pytest.raises(InvalidMlflowKey, match=r"metric name 'recall@k' is refused by MLflow: .*; rename it"):
        check_record(metrics={"auc": 0.9, "recall@k": 0.4}, params={"threshold": 0.5})
    with pytest.raises(InvalidMlflowKey, match="parameter name 'a//b'"):
        check_record(params={"a//b": 1})
    with pytest.raises(InvalidMlflowKey, match="metric 'auc' is nan"):
        check_record(metrics={"auc": float("nan")})
    with pytest.raises(InvalidMlflowKey, match="tag 'note': its value has 8001 characters"):
        check_record(tags={"note": "x" * 8001})
    check_record(metrics={"auc": 0.9}, params={"mlmeta:metrics-logged": 1}, tags={TAG_KIND: "analysis-component"})


EXECUTION_ARN = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-prediction-dev/execution/p4jn9xou8a8s"


def test_pipeline_run_is_named_as_the_analysis_component_in_the_pipeline_experiment():
    names = pipeline_run_names(use_case="churn-prediction", env="dev", execution_id="p4jn9xou8a8s",
                               execution_arn=EXECUTION_ARN, step="evaluation")
    assert names.experiment_name == "churn-prediction-dev-pipeline"
    assert names.trial_name == "churn-prediction-dev-p4jn9xou8a8s-analysis"
    assert names.run_name == "churn-prediction-dev-p4jn9xou8a8s-analysis-evaluation"
    assert names.experiment_tags == {TAG_USE_CASE: "churn-prediction", TAG_ENVIRONMENT: "dev", TAG_KIND: "pipeline-experiment"}
    assert names.run_tags == {
        TAG_USE_CASE: "churn-prediction",
        TAG_ENVIRONMENT: "dev",
        TAG_KIND: "analysis-component",
        TAG_TRIAL: "churn-prediction-dev-p4jn9xou8a8s-analysis",
        TAG_PIPELINE_EXECUTION_ARN: EXECUTION_ARN,
    }
    # Every tag is a key MLflow accepts.
    check_record(tags={**names.experiment_tags, **names.run_tags})


def test_eda_run_is_named_as_the_eda_component():
    names = eda_run_names(use_case="churn-prediction", env="dev", user="ikazaki", topic="feature-selection",
                          run="baseline", date="20261126")
    assert names.experiment_name == "churn-prediction-eda-ikazaki"
    assert names.trial_name == "churn-prediction-eda-ikazaki-20261126-feature-selection"
    assert names.run_name == "churn-prediction-eda-ikazaki-20261126-feature-selection-baseline"
    assert names.run_tags[TAG_KIND] == "eda-component"
    assert names.run_tags[TAG_TRIAL] == names.trial_name
    assert names.experiment_tags[TAG_KIND] == "eda-experiment"


def test_an_off_convention_part_fails_before_mlflow_is_called():
    with pytest.raises(NamingError, match="use_case"):
        pipeline_run_names(use_case="Churn_Prediction", env="dev", execution_id="p4jn9xou8a8s",
                           execution_arn=EXECUTION_ARN, step="evaluation")
    with pytest.raises(NamingError):
        eda_run_names(use_case="churn-prediction", env="dev", user="ikazaki", topic="Feature Selection", run="baseline")


def test_execution_filter_selects_by_the_execution_tag():
    assert execution_filter(EXECUTION_ARN) == f"tags.`mlmeta:pipeline-execution-arn` = '{EXECUTION_ARN}'"
    with pytest.raises(ValueError, match="quote"):
        execution_filter("arn'x")
