"""AWS responses in the shapes AWS documents, for the calls moto does not serve (botocore's Stubber checks
each request and response against the service model too):

- ssm GetParameter of AWS's public parameters (``/aws/service/...``): moto refuses those reserved names;
- lambda GetLayerVersionByArn: not implemented by moto (5.2.5);
- athena GetWorkGroup of a DISABLED workgroup, and of an unknown one: moto implements no UpdateWorkGroup
  and answers an unknown workgroup with an empty response instead of InvalidRequestException;
- cloudtrail calls on an organisation trail of another (management) account, seen from a member account;
- cloudformation DescribeStacks of stacks in states moto does not reach (rollbacks, in progress).

Shapes from the API references: SSM GetParameter, Lambda GetLayerVersionByArn, Athena GetWorkGroup,
CloudTrail DescribeTrails/GetTrailStatus/GetEventSelectors, CloudFormation DescribeStacks.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import boto3

REGION = "ap-northeast-1"
ACCOUNT = "123456789012"
WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def stubbable_client(service: str, region: str = REGION) -> Any:
    # Dummy credentials: the Stubber answers every call, nothing leaves the process.
    return boto3.client(service, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")


def public_parameter(name: str, value: str, region: str = REGION) -> dict[str, Any]:
    return {
        "Parameter": {
            "Name": name, "Type": "String", "Value": value, "Version": 1, "LastModifiedDate": WHEN,
            "ARN": f"arn:aws:ssm:{region}::parameter{name}", "DataType": "text",
        }
    }  # fmt: skip


def layer_version(arn: str, runtimes: list[str], architectures: list[str] | None = None) -> dict[str, Any]:
    layer_arn, _, version = arn.rpartition(":")
    response = {
        "Content": {"Location": "https://awslambda-ap-ne-1-layers.s3.ap-northeast-1.amazonaws.com/snapshots/x", "CodeSha256": "abc=", "CodeSize": 1024},
        "LayerArn": layer_arn, "LayerVersionArn": arn, "Description": "public layer", "CreatedDate": "2026-10-01T00:00:00.000+0000",
        "Version": int(version), "CompatibleRuntimes": runtimes, "LicenseInfo": "MIT-0",
    }  # fmt: skip
    if architectures is not None:
        response["CompatibleArchitectures"] = architectures
    return response


def work_group(name: str, state: str) -> dict[str, Any]:
    return {
        "WorkGroup": {
            "Name": name, "State": state, "Description": "mlmeta", "CreationTime": WHEN,
            "Configuration": {"EnforceWorkGroupConfiguration": True, "EngineVersion": {"SelectedEngineVersion": "Athena engine version 3"}},
        }
    }  # fmt: skip


def trail(name: str, account: str, *, home_region: str = REGION, organisation: bool = False, multi_region: bool = False) -> dict[str, Any]:
    return {
        "Name": name, "S3BucketName": "aws-controltower-logs", "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": multi_region, "HomeRegion": home_region, "TrailARN": f"arn:aws:cloudtrail:{home_region}:{account}:trail/{name}",
        "LogFileValidationEnabled": True, "HasCustomEventSelectors": True, "HasInsightSelectors": False, "IsOrganizationTrail": organisation,
    }  # fmt: skip


def trail_status(logging: bool) -> dict[str, Any]:
    return {"IsLogging": logging, "LatestDeliveryTime": WHEN, "StartLoggingTime": WHEN}


def stack(name: str, status: str, reason: str | None = None, outputs: list[dict[str, str]] | None = None) -> dict[str, Any]:
    described: dict[str, Any] = {
        "StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/0c1e3a80-aaaa-11ef-9d4b-0a1b2c3d4e5f",
        "StackName": name, "CreationTime": WHEN, "StackStatus": status,
    }  # fmt: skip
    if reason:
        described["StackStatusReason"] = reason
    if outputs is not None:
        described["Outputs"] = outputs
    return {"Stacks": [described]}
