"""The handlers' tracking-backend settings (mlmeta_runtime/tracking_backend.py): one line naming the variable."""

from __future__ import annotations

import pytest

from mlmeta_runtime.settings import ConfigurationError
from mlmeta_runtime.tracking_backend import TrackingBackend

APP_ARN = "arn:aws:sagemaker:ap-northeast-1:123456789012:mlflow-app/app-abc123"


def test_unset_is_sagemaker_without_an_mlflow_client():
    backend = TrackingBackend.from_environ({})
    assert (backend.name, backend.mlflow_client()) == ("sagemaker", None)


def test_mlflow_with_a_server_url_builds_an_unsigned_client():
    backend = TrackingBackend.from_environ({"MLMETA_TRACKING_BACKEND": "mlflow", "MLMETA_MLFLOW_TRACKING_URI": "http://10.0.0.5:5000"})
    client = backend.mlflow_client()
    assert (client.base_url, client.signer) == ("http://10.0.0.5:5000", None)


def test_mlflow_with_an_app_arn_builds_a_signed_client_for_its_endpoint(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "ap-northeast-1"}.items():
        monkeypatch.setenv(name, value)
    client = TrackingBackend.from_environ({"MLMETA_TRACKING_BACKEND": "mlflow", "MLMETA_MLFLOW_TRACKING_URI": APP_ARN}).mlflow_client()
    assert client.base_url == "https://mlflow.sagemaker.ap-northeast-1.app.aws"
    assert client.signer.arn.signing_service == "sagemaker" and client.described_as == APP_ARN


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MLMETA_TRACKING_BACKEND": "neptune"}, "MLMETA_TRACKING_BACKEND='neptune' is not a tracking backend"),
        ({"MLMETA_TRACKING_BACKEND": "mlflow"}, "MLMETA_MLFLOW_TRACKING_URI is not set"),
        ({"MLMETA_TRACKING_BACKEND": "mlflow", "MLMETA_MLFLOW_TRACKING_URI": "arn:aws:sagemaker:x:1:mlflow-app/a"},
         "MLMETA_MLFLOW_TRACKING_URI: 'arn:aws:sagemaker:x:1:mlflow-app/a' is not the ARN of a SageMaker MLflow App"),
        ({"MLMETA_TRACKING_BACKEND": "mlflow", "MLMETA_MLFLOW_TRACKING_URI": "mlflow.internal:5000"},
         "MLMETA_MLFLOW_TRACKING_URI: MLflow tracking URI 'mlflow.internal:5000' must be http(s)://host:port"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(environ, message):
    with pytest.raises(ConfigurationError) as raised:
        TrackingBackend.from_environ(environ)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)
