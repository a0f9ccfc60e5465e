"""What the compactor may do (docs/compaction.md, "IAM"), as policy statements: read the lake's raw
prefixes, write compacted objects and its state, update the three views. No ``*`` action, no ``*``
resource; the wildcards are object keys below the prefixes it reads and writes.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from mlmeta_contract.lake.layout import COMPACTION_STATE_KEY
from mlmeta_contract.lake.schema import TABLES, TableSpec
from stacks.common.iam import allow
from stacks.common.iam import Statement

STATE_PREFIX = COMPACTION_STATE_KEY.rsplit("/", 1)[0]
_OBJECTS = "one object per execution, audit record or compacted day below these prefixes; keys are made at run time"


def source_prefixes(tables: Sequence[TableSpec] = TABLES) -> list[str]:
    """Where the raw objects of ``tables`` are (``raw/metric_snapshots``, ..., ``audit/naming``)."""
    return [table.prefix for table in tables]


def written_prefixes(tables: Sequence[TableSpec] = TABLES) -> list[str]:
    return [*(table.compacted_prefix for table in tables), STATE_PREFIX]


def compactor_statements(*, stack: Stack, bucket: s3.IBucket, key: kms.IKey, database_name: str) -> list[Statement]:
    read = source_prefixes()
    written = written_prefixes()

    def objects(prefixes: Sequence[str]) -> list[str]:
        return [bucket.arn_for_objects(f"{prefix}/*") for prefix in prefixes]

    glue = [
        stack.format_arn(service="glue", resource="catalog"),
        stack.format_arn(service="glue", resource="database", resource_name=database_name),
        *(stack.format_arn(service="glue", resource="table", resource_name=f"{database_name}/{t.name}") for t in TABLES),
    ]
    return [
        allow(
            "ListLakePrefixes",
            ["s3:ListBucket"],
            [bucket.bucket_arn],
            # Listing a day (and a key before reading it) only under the prefixes it reads or writes.
            conditions={"StringLike": {"s3:prefix": [f"{prefix}/*" for prefix in (*read, *written)]}},
        ),
        allow("ReadSnapshotsAndCompactedDays", ["s3:GetObject"], objects([*read, *written]), wildcards=_OBJECTS),
        allow("WriteCompactedDaysAndState", ["s3:PutObject"], objects(written), wildcards=_OBJECTS),
        allow("UseLakeKey", ["kms:Decrypt", "kms:GenerateDataKey"], [key.key_arn]),
        allow("UpdateViews", ["glue:GetTable", "glue:UpdateTable"], glue),
    ]
