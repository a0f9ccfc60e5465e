"""SigV4 signing for SageMaker MLflow ARNs, checked without network: the request the client would send is
captured at urllib and its signature recomputed here from scratch (stdlib HMAC), with fake credentials."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from botocore.credentials import Credentials

from mlmeta_contract.mlflow.client import MlflowClient
from mlmeta_contract.mlflow.signing import CUSTOM_ENDPOINT_ENV_VAR, MlflowArn, MlflowArnError

APP_ARN = "arn:aws:sagemaker:ap-northeast-1:123456789012:mlflow-app/app-abc123def456"
SERVER_ARN = "arn:aws:sagemaker:us-east-1:123456789012:mlflow-tracking-server/mlmeta-dev"
FAKE = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-example")


class Answer(io.BytesIO):
    status = 200

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def sent(monkeypatch) -> list[urllib.request.Request]:
    """Every request the client hands to urllib, answered with ``{}`` (no network)."""
    captured: list[urllib.request.Request] = []

    def fake_urlopen(request, timeout=None):
        captured.append(request)
        return Answer(json.dumps({"experiment": {"experiment_id": "7"}, "runs": []}).encode())

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    monkeypatch.delenv(CUSTOM_ENDPOINT_ENV_VAR, raising=False)
    return captured


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def expected_signature(request: urllib.request.Request, *, secret: str, region: str, service: str) -> str:
    """AWS's documented SigV4 algorithm, applied to what urllib would send."""
    headers = {name.lower(): value for name, value in request.header_items()}
    url = urllib.parse.urlsplit(request.full_url)
    authorization = headers["authorization"]
    signed = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    header_values = {**headers, "host": url.netloc}
    query = sorted(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
    canonical = "\n".join(
        [
            request.get_method(),
            url.path,
            "&".join(f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}" for k, v in query),
            "".join(f"{name}:{header_values[name].strip()}\n" for name in signed),
            ";".join(signed),
            headers["x-amz-content-sha256"],
        ]
    )
    moment = headers["x-amz-date"]
    scope = f"{moment[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", moment, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret).encode(), moment[:8]), region), service), "aws4_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def test_an_app_arn_is_sent_to_its_endpoint_signed_for_sagemaker_with_the_arn_header(sent):
    client = MlflowClient.from_uri(APP_ARN, credentials=FAKE)
    client.get_experiment_by_name("churn prediction-dev-pipeline")
    (request,) = sent
    assert request.full_url == (
        "https://mlflow.sagemaker.ap-northeast-1.app.aws/api/2.0/mlflow/experiments/get-by-name"
        "?experiment_name=churn%20prediction-dev-pipeline"
    )
    headers = {name.lower(): value for name, value in request.header_items()}
    assert headers["x-sm-mlflow-app-arn"] == APP_ARN
    assert headers["x-amz-security-token"] == "session-token-example"
    assert headers["x-amz-content-sha256"] == hashlib.sha256(b"").hexdigest()
    authorization = headers["authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/ap-northeast-1/sagemaker/aws4_request" in authorization
    signed = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    assert {"host", "x-sm-mlflow-app-arn", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"} <= set(signed)
    assert "connection" not in signed
    signature = authorization.split("Signature=")[1]
    assert signature == expected_signature(request, secret=FAKE.secret_key, region="ap-northeast-1", service="sagemaker")


def test_a_tracking_server_arn_signs_a_post_body_for_sagemaker_mlflow(sent):
    client = MlflowClient.from_uri(SERVER_ARN, credentials=FAKE)
    client.search_runs(["7"], filter_string="tags.`mlmeta:kind` = 'analysis-component'")
    (request,) = sent
    assert request.full_url == "https://us-east-1.experiments.sagemaker.aws/api/2.0/mlflow/runs/search"
    headers = {name.lower(): value for name, value in request.header_items()}
    assert headers["x-mlflow-sm-tracking-server-arn"] == SERVER_ARN
    assert headers["x-amz-content-sha256"] == hashlib.sha256(request.data).hexdigest()
    assert "/us-east-1/sagemaker-mlflow/aws4_request" in headers["authorization"]
    signature = headers["authorization"].split("Signature=")[1]
    assert signature == expected_signature(request, secret=FAKE.secret_key, region="us-east-1", service="sagemaker-mlflow")


def test_a_tampered_body_no_longer_matches_the_signature(sent):
    MlflowClient.from_uri(SERVER_ARN, credentials=FAKE).search_runs(["7"])
    (request,) = sent
    signature = dict((k.lower(), v) for k, v in request.header_items())["authorization"].split("Signature=")[1]
    request.data = request.data.replace(b'"7"', b'"8"')
    request.remove_header("X-amz-content-sha256")
    request.add_header("X-amz-content-sha256", hashlib.sha256(request.data).hexdigest())
    assert signature != expected_signature(request, secret=FAKE.secret_key, region="us-east-1", service="sagemaker-mlflow")


def test_the_plugins_custom_endpoint_variable_overrides_the_arns_endpoint(sent, monkeypatch):
    monkeypatch.setenv(CUSTOM_ENDPOINT_ENV_VAR, "https://vpce-example.experiments.sagemaker.aws/")
    MlflowClient.from_uri(SERVER_ARN, credentials=FAKE).search_runs(["7"])
    assert sent[0].full_url == "https://vpce-example.experiments.sagemaker.aws/api/2.0/mlflow/runs/search"


def test_a_plain_http_uri_is_not_signed(sent):
    MlflowClient.from_uri("http://127.0.0.1:5000").search_runs(["7"])
    headers = {name.lower() for name, _ in sent[0].header_items()}
    assert "authorization" not in headers and "x-amz-content-sha256" not in headers


@pytest.mark.parametrize(
    "bad",
    [
        "arn:aws:sagemaker:us-east-1:123456789012:experiment/churn",  # not MLflow
        "arn:aws:sagemaker:us-east-1:1234:mlflow-app/app-1",  # account
        "arn:aws-cn:sagemaker:cn-north-1:123456789012:mlflow-app/app-1",  # partition the plugin refuses
    ],
)
def test_an_arn_that_is_not_a_sagemaker_mlflow_resource_is_one_clear_error(bad):
    with pytest.raises(MlflowArnError) as raised:
        MlflowArn.parse(bad)
    assert bad in str(raised.value)


def test_botocore_is_not_imported_for_a_plain_http_client():
    import subprocess
    import sys

    code = (
        "import sys; from mlmeta_contract.mlflow.client import MlflowClient; MlflowClient.from_uri('http://127.0.0.1:1'); "
        "print('botocore' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "False"
