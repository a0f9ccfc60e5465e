"""mlmeta.track on the SageMaker backend, against the embedded AWS: the names and tags by the
convention, the API calls of the SageMaker SDK's Run, reuse on re-entry, refusals before any call."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import boto3
import pytest

import mlmeta
from mlmeta_contract.naming import validate
from mlmeta_contract.naming.tags import TAG_ENVIRONMENT, TAG_KIND, TAG_USE_CASE
from mlmeta.track import BackendError, NameRefused, TrackingError

DAY = "20261126"
EXPERIMENT = "churn-prediction-eda-ikazaki"
TRIAL = f"{EXPERIMENT}-{DAY}-feature-selection"


def _tags(sagemaker, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=arn)["Tags"]}


def test_three_lines_record_a_run_named_and_tagged_by_the_convention(sagemaker, counted_session):
    session, counter = counted_session
    with mlmeta.track(use_case="churn-prediction", topic="feature-selection", user="ikazaki", date=DAY, session=session) as run:
        run.log_params({"max_depth": 5, "features": "all"}); run.log_metric("auc", 0.91, step=1)

    assert (run.experiment_name, run.trial_name, run.run_name) == (EXPERIMENT, TRIAL, f"{TRIAL}-run1")
    # The SDK's Run's calls, in its order (metrics flushed at the end, the status last).
    assert counter.calls == [
        "sagemaker.CreateExperiment", "sagemaker.CreateTrial", "sagemaker.ListTrialComponents",
        "sagemaker.CreateTrialComponent", "sagemaker.AssociateTrialComponent", "sagemaker.UpdateTrialComponent",
        "sagemaker-metrics.BatchPutMetrics", "sagemaker.UpdateTrialComponent",
    ]
    experiment = sagemaker.describe_experiment(ExperimentName=EXPERIMENT)
    trial = sagemaker.describe_trial(TrialName=TRIAL)
    component = sagemaker.describe_trial_component(TrialComponentName=run.run_name)
    assert trial["ExperimentName"] == EXPERIMENT
    for arn, kind in ((experiment["ExperimentArn"], "eda-experiment"), (trial["TrialArn"], "eda-trial"),
                      (component["TrialComponentArn"], "eda-component")):
        tags = _tags(sagemaker, arn)
        assert {k: tags[k] for k in (TAG_USE_CASE, TAG_ENVIRONMENT, TAG_KIND)} == {
            TAG_USE_CASE: "churn-prediction", TAG_ENVIRONMENT: "dev", TAG_KIND: kind}
    assert component["Status"]["PrimaryStatus"] == "Completed"
    assert component["EndTime"] >= component["StartTime"]
    assert component["Parameters"] == {"max_depth": {"NumberValue": 5.0}, "features": {"StringValue": "all"}}
    [auc] = component["Metrics"]
    assert (auc["MetricName"], auc["Last"], auc["Count"]) == ("auc", 0.91, 1)
    summaries = sagemaker.list_trial_components(TrialName=TRIAL)["TrialComponentSummaries"]
    assert [s["TrialComponentName"] for s in summaries] == [run.run_name]


def test_the_naming_guard_judges_every_created_entity_compliant(sagemaker, local_aws):
    from naming_guard.guard import check_name, sweep_check

    with mlmeta.track(use_case="churn-prediction", topic="feature-selection", user="ikazaki", date=DAY) as run:
        run.log_metric("auc", 0.9)
    s3, sns = boto3.client("s3"), boto3.client("sns")
    s3.create_bucket(Bucket="lake", CreateBucketConfiguration={"LocationConstraint": boto3.session.Session().region_name})
    topic = sns.create_topic(Name="notices")["TopicArn"]
    entities = {
        "experiment": sagemaker.describe_experiment(ExperimentName=run.experiment_name),
        "experiment-trial": sagemaker.describe_trial(TrialName=run.trial_name),
        "experiment-trial-component": sagemaker.describe_trial_component(TrialComponentName=run.run_name),
    }
    for resource_type, entity in entities.items():
        check = sweep_check(resource_type, entity, checked_at=datetime.now(UTC))
        result = check_name(sagemaker, s3, sns, check, convention=mlmeta.track.tracking.naming_convention(),
                            environment="dev", bucket="lake", topic_arn=topic)
        assert (resource_type, result.verdict, result.tagged, result.notified) == (resource_type, "compliant", True, False)
        arn = entity.get("ExperimentArn") or entity.get("TrialArn") or entity["TrialComponentArn"]
        assert _tags(sagemaker, arn)["mlmeta:naming"] == "compliant"


def test_entering_again_reuses_the_experiment_and_trial_and_numbers_the_runs(sagemaker, counted_session):
    session, counter = counted_session
    names = []
    for value in (0.90, 0.93):
        with mlmeta.track(use_case="churn-prediction", topic="feature-selection", user="ikazaki", date=DAY, session=session) as run:
            run.log_metric("auc", value)
        names.append(run.run_name)
    assert names == [f"{TRIAL}-run1", f"{TRIAL}-run2"]
    assert [e["ExperimentName"] for e in sagemaker.list_experiments()["ExperimentSummaries"]] == [EXPERIMENT]
    assert [t["TrialName"] for t in sagemaker.list_trials()["TrialSummaries"]] == [TRIAL]
    # The second entry found both and re-tagged them, creating neither again.
    second = counter.calls[counter.calls.index("sagemaker.CreateExperiment", 1):]
    assert second[:6] == ["sagemaker.CreateExperiment", "sagemaker.DescribeExperiment", "sagemaker.AddTags",
                          "sagemaker.CreateTrial", "sagemaker.DescribeTrial", "sagemaker.AddTags"]


def test_a_named_run_entered_again_is_the_same_component(sagemaker, local_aws):
    for depth in (5, 7):
        with mlmeta.track(use_case="churn-prediction", topic="feature-selection", run="baseline", user="ikazaki", date=DAY) as run:
            run.log_params({"max_depth": depth}); run.log_metric("auc", 0.9 + depth / 100)
    component = sagemaker.describe_trial_component(TrialComponentName=f"{TRIAL}-baseline")
    assert component["Parameters"]["max_depth"] == {"NumberValue": 7.0}
    [auc] = component["Metrics"]
    assert (auc["Count"], auc["Last"]) == (2, 0.97)
    assert len(sagemaker.list_trial_components(TrialName=TRIAL)["TrialComponentSummaries"]) == 1


@pytest.mark.parametrize(
    ("parts", "part", "rule"),
    [
        ({"use_case": "Churn-Prediction"}, "use_case", "uppercase"),
        ({"use_case": "churn_prediction"}, "use_case", "invalid-characters"),
        ({"topic": "feature selection"}, "topic", "invalid-characters"),
        ({"topic": "Holdout-Check"}, "topic", "uppercase"),
        ({"run": "run-1"}, "run", "wrong-shape"),
        ({"user": "ika.zaki"}, "user", "invalid-characters"),
        ({"date": "20261331"}, "date", "bad-date"),
        ({"use_case": "churn-predictoin"}, "use_case", "unknown-use-case"),
    ],
)
def test_an_off_convention_part_is_refused_before_any_aws_call(counted_session, parts, part, rule):
    session, counter = counted_session
    arguments = {"use_case": "churn-prediction", "topic": "feature-selection", "session": session} | parts
    with pytest.raises(NameRefused) as refused:
        with mlmeta.track(**arguments):
            pytest.fail("the block must not run")
    assert (refused.value.part, refused.value.rule, counter.calls) == (part, rule, [])
    message = str(refused.value)
    assert repr(next(iter(parts.values()))) in message and "nothing was created" in message and "\n" not in message


def test_the_refusal_names_the_rule_and_the_pattern(local_aws):
    with pytest.raises(NameRefused) as refused:
        with mlmeta.track(use_case="churn-prediction", topic="Holdout-Check", user="ikazaki"):
            pass
    message = str(refused.value)
    assert "topic 'Holdout-Check' is not lowercase letters and digits in words separated by single hyphens [uppercase]" in message
    assert "eda-trial names are {usecase}-eda-{user}-{yyyymmdd}-{topic}, e.g. churn-prediction-eda-ikazaki-20261126-feature-selection" in message


def test_the_user_is_the_callers_role_session_normalised(sagemaker, local_aws):
    sts = boto3.client("sts")
    assumed = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/DataScientist", RoleSessionName="Taro.Yamada@example.com")
    credentials = assumed["Credentials"]
    session = boto3.session.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                                    aws_session_token=credentials["SessionToken"])
    with mlmeta.track(use_case="churn-prediction", topic="feature-selection", date=DAY, session=session) as run:
        pass
    assert run.names.user == "taroyamada"
    assert run.experiment_name == "churn-prediction-eda-taroyamada"
    assert validate("eda-component", run.run_name).compliant


def test_an_identity_naming_no_person_is_refused_after_sts_only(local_aws, call_counter):
    credentials = boto3.client("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/Studio", RoleSessionName="SageMaker")["Credentials"]
    session = boto3.session.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                                    aws_session_token=credentials["SessionToken"])
    counter = call_counter(session)
    with pytest.raises(NameRefused, match=r"session name 'SageMaker' is a tool's, not a person's; pass user='<you>' \(one word"):
        with mlmeta.track(use_case="churn-prediction", topic="feature-selection", session=session):
            pass
    assert counter.calls == ["sts.GetCallerIdentity"]


def test_an_exception_in_the_block_fails_the_run_and_goes_on(sagemaker, local_aws):
    with pytest.raises(ZeroDivisionError):
        with mlmeta.track(use_case="churn-prediction", topic="feature-selection", user="ikazaki", date=DAY) as run:
            run.log_metric("auc", 0.5)
            1 / 0
    component = sagemaker.describe_trial_component(TrialComponentName=run.run_name)
    assert component["Status"] == {"PrimaryStatus": "Failed", "Message": "ZeroDivisionError: division by zero"}
    assert component["Metrics"][0]["Last"] == 0.5  # what was logged before is kept


def test_a_bad_value_is_refused_and_nothing_of_the_call_is_written(sagemaker, local_aws):
    with mlmeta.track(use_case="churn-prediction", topic="feature-selection", user="ikazaki", date=DAY) as run:
        with pytest.raises(TrackingError, match=r"metric f1 is nan: log a finite number"):
            run.log_metrics({"auc": 0.9, "f1": math.nan})
        with pytest.raises(TrackingError, match=r"parameter balanced must be a string or a number, got True"):
            run.log_params({"max_depth": 5, "balanced": True})
        with pytest.raises(TrackingError, match=r"step -1 must be a non-negative integer"):
            run.log_metric("auc", 0.9, step=-1)
    component = sagemaker.describe_trial_component(TrialComponentName=run.run_name)
    assert (component.get("Metrics", []), component.get("Parameters", {})) == ([], {})
    assert component["Status"]["PrimaryStatus"] == "Completed"


def test_more_metrics_than_one_call_takes_go_in_batches_of_ten(sagemaker, counted_session):
    session, counter = counted_session
    with mlmeta.track(use_case="churn-prediction", topic="feature-selection", user="ikazaki", date=DAY, session=session) as run:
        for step in range(23):
            run.log_metric("loss", 1 / (step + 1), step=step)
        assert counter.calls.count("sagemaker-metrics.BatchPutMetrics") == 2  # 20 sent as the buffer filled
    assert counter.calls.count("sagemaker-metrics.BatchPutMetrics") == 3
    [loss] = sagemaker.describe_trial_component(TrialComponentName=run.run_name)["Metrics"]
    assert (loss["Count"], loss["Last"]) == (23, 1 / 23)


def test_an_unreachable_sagemaker_is_one_error_naming_the_call(local_aws, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(BackendError, match=r"^cannot reach SageMaker for CreateExperiment of churn-prediction-eda-ikazaki: "):
        with mlmeta.track(use_case="churn-prediction", topic="feature-selection", user="ikazaki"):
            pytest.fail("the block must not run")


def test_an_unknown_backend_is_refused(local_aws, monkeypatch):
    monkeypatch.setenv("MLMETA_TRACKING_BACKEND", "wandb")
    with pytest.raises(TrackingError, match=r"MLMETA_TRACKING_BACKEND=.wandb. is not a tracking backend: set it to sagemaker or mlflow"):
        with mlmeta.track(use_case="churn-prediction", topic="feature-selection", user="ikazaki"):
            pass
