"""The demo's AWS calls answered in process (mlmeta/local/demo/in_process.py) give the embedded server's own
answers: same bytes, same errors, same attributes, with no socket at all."""

from __future__ import annotations

import gzip

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from mlmeta.local.demo.in_process import in_process_calls
from mlmeta.local.emulator import clients, embedded_moto

REGION = "ap-northeast-1"
KEY = "raw/metric_snapshots/dt=2026-01-05/p4jn9xou8a8s.json.gz"
# Nothing listens there: fail at once rather than after botocore's retries.
NO_RETRIES = Config(retries={"total_max_attempts": 1}, connect_timeout=2)
BODY = gzip.compress(b'{"metric_name":"auc","metric_value":0.88}\n', mtime=0)


def exercise(aws: dict, bucket: str) -> dict:
    """A few calls of the kinds the demo and the handlers make, and what they answered."""
    s3, sqs = aws["s3"], aws["sqs"]
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=bucket, Key=KEY, Body=BODY, ContentType="application/gzip")
    with pytest.raises(ClientError) as missing:
        s3.get_object(Bucket=bucket, Key="raw/none.json.gz")
    url = sqs.create_queue(QueueName=f"{bucket}-queue")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody='{"id": "é"}', MessageAttributes={"field": {"DataType": "String", "StringValue": "detail"}})
    [message] = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    return {
        "body": s3.get_object(Bucket=bucket, Key=KEY)["Body"].read(),
        "keys": [item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix="raw/")["Contents"]],
        "missing": (missing.value.response["Error"]["Code"], missing.value.response["ResponseMetadata"]["HTTPStatusCode"]),
        "message": (message["Body"], message["MessageAttributes"]["field"]["StringValue"]),
    }


def test_answers_in_process_are_the_servers_and_need_no_socket():
    with embedded_moto() as endpoint:
        over_http = exercise(clients(endpoint, REGION, "s3", "sqs"), "over-http")
    # The server is stopped: nothing listens at the endpoint any more.
    with in_process_calls(endpoint):
        in_process = exercise(clients(endpoint, REGION, "s3", "sqs"), "in-process")

    assert in_process == over_http
    assert in_process["body"] == BODY and in_process["missing"] == ("NoSuchKey", 404)


def test_other_endpoints_and_clients_after_the_block_are_left_alone():
    with embedded_moto() as endpoint:
        pass
    with in_process_calls("http://127.0.0.1:9"):
        s3 = clients(endpoint, REGION, "s3", config=NO_RETRIES)["s3"]
        with pytest.raises(Exception, match="Could not connect"):
            s3.list_buckets()
    with in_process_calls(endpoint):
        pass
    with pytest.raises(Exception, match="Could not connect"):
        clients(endpoint, REGION, "s3", config=NO_RETRIES)["s3"].list_buckets()
