"""``mlmeta.lake.object_store.ObjectStore`` over the lake bucket (boto3).

Writes are S3 conditional writes: ``If-Match`` with the ETag read before, or ``If-None-Match: *`` for a
new key; S3 answers 412 (or 409 for a concurrent conditional write) when another writer came first.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from mlmeta.lake.object_store import Blob, PreconditionFailed, StoredObject
from mlmeta_contract.lake.schema import PARTITION_KEY

_CONFLICTS = {"PreconditionFailed", "ConditionalRequestConflict"}
_MISSING = {"NoSuchKey", "404"}


class S3ObjectStore:
    def __init__(self, client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def list_objects(self, prefix: str) -> list[StoredObject]:
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            found += [StoredObject(item["Key"], item["ETag"]) for item in page.get("Contents", [])]
        return sorted(found, key=lambda stored: stored.key)

    def list_partitions(self, prefix: str) -> list[str]:
        marker = f"{prefix}/{PARTITION_KEY}="
        days = []
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=marker, Delimiter="/")
        for page in pages:
            days += [common["Prefix"][len(marker) :].rstrip("/") for common in page.get("CommonPrefixes", [])]
        return sorted(days)

    def get(self, key: str) -> Blob | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code")
            # S3 answers a missing key with 403 to a caller whose ListBucket grant does not count for the
            # key: ask the listing before calling it missing.
            if code in _MISSING or (code == "AccessDenied" and not self._exists(key)):
                return None
            raise
        return Blob(response["Body"].read(), response["ETag"])

    def put(self, key: str, data: bytes, *, replaces: str | None) -> str:
        condition = {"IfMatch": replaces} if replaces is not None else {"IfNoneMatch": "*"}
        try:
            response = self.client.put_object(Bucket=self.bucket, Key=key, Body=data, **condition)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in _CONFLICTS:
                raise PreconditionFailed(f"s3://{self.bucket}/{key}: changed by another writer") from err
            raise
        return response["ETag"]

    def _exists(self, key: str) -> bool:
        response = self.client.list_objects_v2(Bucket=self.bucket, Prefix=key, MaxKeys=1)
        return any(item["Key"] == key for item in response.get("Contents", []))
