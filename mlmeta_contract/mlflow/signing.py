"""SageMaker managed MLflow: where an ARN's REST API answers, and the SigV4 signature it requires.

Done exactly as AWS's sagemaker-mlflow plugin (0.5.0) does it, without the plugin (it needs the mlflow
package and requests, which the Lambdas and the pipeline step do not have):

- endpoint: ``sagemaker_mlflow/mlflow_sagemaker_helpers.py`` (SageMakerMLflowHostMetadataProvider._get_endpoint,
  _get_dns_suffix; ``SAGEMAKER_MLFLOW_CUSTOM_ENDPOINT`` overrides it);
- routing header carrying the ARN: ``sagemaker_mlflow/mlflow_sagemaker_request_header_provider.py``
  (_get_arn_header), sent with every request and signed with it;
- signing service name: ``sagemaker_mlflow/auth_provider.py`` (_get_auth_service_name);
- the signature: ``sagemaker_mlflow/auth.py`` (AuthBoto.__call__): ``X-Amz-Content-SHA256`` set to the
  body's SHA-256, no ``Connection`` header signed, ``+`` in a GET/DELETE URL as ``%20``, then botocore's
  ``SigV4Auth.add_auth``.

botocore is imported only when an ARN is used: a self-hosted server needs nothing beyond the stdlib.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CUSTOM_ENDPOINT_ENV_VAR = "SAGEMAKER_MLFLOW_CUSTOM_ENDPOINT"
_ARN_RE = re.compile(
    r"arn:(?P<partition>[a-z-]+):sagemaker:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<resource_type>mlflow-app|mlflow-tracking-server)/(?P<resource_id>[A-Za-z0-9][A-Za-z0-9_-]*)"
)
# Per resource type: the routing header carrying the ARN and the SigV4 service name.
ARN_HEADERS = {"mlflow-tracking-server": "x-mlflow-sm-tracking-server-arn", "mlflow-app": "x-sm-mlflow-app-arn"}
SIGNING_SERVICES = {"mlflow-tracking-server": "sagemaker-mlflow", "mlflow-app": "sagemaker"}
# The plugin supports these partitions only.
DNS_SUFFIXES = {"aws": "aws", "aws-us-gov": "aws"}
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class MlflowArnError(ValueError):
    """The tracking URI looks like an ARN but is not one of a SageMaker MLflow App or tracking server."""


def is_arn(tracking_uri: str) -> bool:
    return tracking_uri.startswith("arn:")


@dataclass(frozen=True)
class MlflowArn:
    arn: str
    partition: str
    region: str
    account: str
    resource_type: str
    resource_id: str

    @classmethod
    def parse(cls, arn: str) -> MlflowArn:
        match = _ARN_RE.fullmatch(arn)
        if not match:
            raise MlflowArnError(
                f"{arn!r} is not the ARN of a SageMaker MLflow App (arn:aws:sagemaker:REGION:ACCOUNT:mlflow-app/APP_ID) "
                "or tracking server (...:mlflow-tracking-server/NAME); set MLMETA_MLFLOW_TRACKING_URI to one, or to http(s)://host:port"
            )
        if match["partition"] not in DNS_SUFFIXES:
            raise MlflowArnError(f"{arn!r}: partition {match['partition']} is not supported by SageMaker MLflow ({', '.join(DNS_SUFFIXES)})")
        return cls(arn=arn, **match.groupdict())

    def endpoint(self, environ: Mapping[str, str] | None = None) -> str:
        """The REST API's base URL (mlflow_sagemaker_helpers.py, construct_tracking_server_url)."""
        custom = (os.environ if environ is None else environ).get(CUSTOM_ENDPOINT_ENV_VAR, "")
        if custom:
            return custom.rstrip("/")
        suffix = DNS_SUFFIXES[self.partition]
        if self.resource_type == "mlflow-app":
            return f"https://mlflow.sagemaker.{self.region}.app.{suffix}"
        return f"https://{self.region}.experiments.sagemaker.{suffix}"

    @property
    def routing_header(self) -> tuple[str, str]:
        return ARN_HEADERS[self.resource_type], self.arn

    @property
    def signing_service(self) -> str:
        return SIGNING_SERVICES[self.resource_type]


class SigV4Signer:
    """Signs one request: ``sign(method, url, headers, body) -> headers`` to send (the input is not changed).

    ``credentials`` is a botocore Credentials object (or anything with access_key, secret_key, token);
    by default the process's (botocore's default chain: the Lambda's or the job's role), resolved once.
    """

    def __init__(self, arn: MlflowArn, *, credentials: Any = None) -> None:
        self.arn = arn
        if credentials is None:
            import botocore.session  # lazy: only an ARN needs botocore

            credentials = botocore.session.get_session().get_credentials()
            if credentials is None:
                raise MlflowArnError(f"no AWS credentials to sign requests to {arn.arn}: run with a role or AWS_PROFILE")
        self.credentials = credentials

    def sign(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> dict[str, str]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        unsigned = {name: value for name, value in headers.items() if name.lower() != "connection"}
        name, value = self.arn.routing_header
        unsigned[name] = value
        unsigned["X-Amz-Content-SHA256"] = hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
        request = AWSRequest(method=method, url=signable_url(method, url), data=body or b"", headers=unsigned)
        SigV4Auth(self.credentials, self.arn.signing_service, self.arn.region).add_auth(request)
        return dict(request.headers.items())


def signable_url(method: str, url: str) -> str:
    """MLflow encodes spaces as ``+``, SigV4 as ``%20`` (auth.py): the URL that is signed and sent."""
    return url.replace("+", "%20") if method in ("GET", "DELETE") else url
