"""What a real account holds before ``cdk deploy`` runs, put into the embedded AWS, and what ``cdk deploy``
publishes before it creates a stack:

- ``cdk bootstrap``'s version parameter (``/cdk-bootstrap/hnb659fds/version``, which the templates'
  ``BootstrapVersion`` parameter and the ``CheckBootstrapVersion`` rule read) and its assets bucket;
- AWS's public SSM parameters the templates resolve at deploy (the Powertools and AWS SDK for pandas
  layer ARNs, ``mlmeta.config.lambda_runtime``), each set to an ARN of the layer its publisher names,
  version 1 standing in for the region's current one. moto's CloudFormation model of a function drops
  its ``Layers`` (moto 5.2.5), so the value is not checked further; nothing runs in moto's Lambda: the
  handlers run in this process on the venv's Powertools, the version the parameter names;
- the stacks' file assets (Lambda code, templates), zipped as ``cdk deploy`` zips a directory asset.

AWS's public parameters cannot be put through SSM's API (``/aws/`` is reserved, in moto as in AWS), so
they are written into the embedded moto server's SSM backend, in this process: the rehearsal runs on
the embedded server only.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlmeta.config import lambda_runtime
from mlmeta.local.rehearsal.assembly import FileAsset, StackArtifact

# The version `cdk bootstrap` of the pinned CDK CLI writes (CdkBootstrapVersion in
# node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml; a test compares the two).
BOOTSTRAP_VERSION = "33"
PUBLIC_PARAMETER_PREFIX = "/aws/service/"
SSM_PARAMETER_TYPE_PREFIX = "AWS::SSM::Parameter::Value<"
# A zip's entries carry a time; a fixed one makes the same directory the same bytes (as CDK's zips are).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
STAND_IN_LAYER_VERSION = 1


class BootstrapError(RuntimeError):
    """A template needs what the rehearsal cannot provide; the message says what."""


def bootstrap(aws: Mapping[str, Any], stacks: tuple[StackArtifact, ...], region: str, account: str) -> dict[str, str]:
    """Put into the embedded AWS what the stacks need before they deploy (``aws``: ssm and s3 clients);
    the public parameters seeded, name -> value."""
    for parameter in sorted({s.bootstrap_version_parameter for s in stacks if s.bootstrap_version_parameter}):
        aws["ssm"].put_parameter(Name=parameter, Value=BOOTSTRAP_VERSION, Type="String", Overwrite=True)
    for bucket in sorted({substitute(asset.bucket, region, account) for s in stacks for asset in s.assets}):
        _ensure_bucket(aws["s3"], bucket, region)
    layers = {layer.parameter: layer for layer in lambda_runtime.public_layers()}
    seeded = {}
    for name in sorted({name for s in stacks for name in public_parameters(s.template)}):
        if name not in layers:
            raise BootstrapError(f"a template resolves AWS's public parameter {name}, which the rehearsal has no stand-in for")
        layer = layers[name]
        seeded[name] = f"arn:aws:lambda:{region}:{layer.publisher_account}:layer:{layer.layer_name}:{STAND_IN_LAYER_VERSION}"
        _put_public_parameter(name, seeded[name], region, account)
    return seeded


def publish_assets(s3: Any, stack: StackArtifact, region: str, account: str) -> dict[str, str]:
    """Upload the stack's file assets as ``cdk deploy`` does; object key -> its SHA-256 (base64, as Lambda
    reports a function's ``CodeSha256``)."""
    published = {}
    for asset in stack.assets:
        body = asset_bytes(asset)
        s3.put_object(Bucket=substitute(asset.bucket, region, account), Key=asset.key, Body=body)
        published[asset.key] = base64.b64encode(hashlib.sha256(body).digest()).decode()
    return published


def public_parameters(template: Mapping[str, Any]) -> list[str]:
    """The public SSM parameters (``/aws/service/...``) the template's SSM-typed parameters default to."""
    return [
        parameter["Default"]
        for parameter in template.get("Parameters", {}).values()
        if str(parameter.get("Type", "")).startswith(SSM_PARAMETER_TYPE_PREFIX)
        and str(parameter.get("Default", "")).startswith(PUBLIC_PARAMETER_PREFIX)
    ]


def asset_bytes(asset: FileAsset) -> bytes:
    if asset.packaging == "file":
        return asset.source.read_bytes()
    if asset.packaging != "zip":
        raise BootstrapError(f"asset {asset.asset_id}: packaging {asset.packaging!r} is not one the rehearsal publishes")
    return zip_directory(asset.source)


def zip_directory(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            entry = zipfile.ZipInfo(path.relative_to(directory).as_posix(), _ZIP_TIME)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes())
    return buffer.getvalue()


def substitute(value: str, region: str, account: str) -> str:
    """An asset destination with CDK's placeholders filled in."""
    return value.replace("${AWS::AccountId}", account).replace("${AWS::Region}", region).replace("${AWS::Partition}", "aws")


def _ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    try:
        s3.create_bucket(Bucket=bucket, **location)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass


def _put_public_parameter(name: str, value: str, region: str, account: str) -> None:
    from moto.core.utils import utcnow
    from moto.ssm.models import Parameter, ssm_backends

    versions = ssm_backends[account][region]._parameters[name]
    versions.append(Parameter(account_id=account, name=name, value=value, parameter_type="String", description=None,
                              allowed_pattern=None, keyid=None, last_modified_date=utcnow(), version=len(versions) + 1,
                              data_type="text"))
