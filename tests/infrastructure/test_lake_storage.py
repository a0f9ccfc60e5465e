"""Lake bucket, access-log bucket and KMS key, as synthesized for each environment."""

from __future__ import annotations

import pytest
from aws_cdk import App, RemovalPolicy, Stack
from aws_cdk.assertions import Match

from mlmeta.config import RetentionSettings
from stacks.lake.storage import LakeStorage

BLOCK_ALL = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}


def lake_bucket_id(env_app) -> str:
    lake = env_app.stacks.lake
    return lake.get_logical_id(lake.bucket.node.default_child)


def buckets(env_app) -> tuple[dict, dict]:
    """(lake bucket, access-log bucket) properties; the access-log bucket is found through the lake's logging."""
    all_buckets = env_app.resources(env_app.stacks.lake, "AWS::S3::Bucket")
    assert len(all_buckets) == 2
    lake = all_buckets[lake_bucket_id(env_app)]["Properties"]
    access_logs_id = lake["LoggingConfiguration"]["DestinationBucketName"]["Ref"]
    return lake, all_buckets[access_logs_id]["Properties"]


def rules_by_id(bucket: dict) -> dict[str, dict]:
    return {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}


def bucket_policy_statements(env_app, bucket_id: str) -> list[dict]:
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in env_app.resources(env_app.stacks.lake, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    assert len(policies) == 1
    return policies[0]


def test_kms_key_rotates_and_encrypts_the_lake_bucket_with_a_bucket_key(env_app):
    lake = env_app.stacks.lake
    keys = env_app.resources(lake, "AWS::KMS::Key")
    assert len(keys) == 1
    ((key_id, key),) = keys.items()
    assert key["Properties"]["EnableKeyRotation"] is True
    lake_bucket, _ = buckets(env_app)
    (rule,) = lake_bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": [key_id, "Arn"]},
    }
    assert rule["BucketKeyEnabled"] is True


def test_buckets_are_private_and_owner_enforced(env_app):
    for bucket in buckets(env_app):
        assert bucket["PublicAccessBlockConfiguration"] == BLOCK_ALL
        assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


def test_lake_bucket_is_versioned_and_access_log_bucket_is_not(env_app):
    lake_bucket, access_logs = buckets(env_app)
    assert lake_bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "VersioningConfiguration" not in access_logs


def test_access_log_bucket_uses_s3_managed_encryption(env_app):
    _, access_logs = buckets(env_app)
    assert access_logs["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    ]


def test_every_bucket_policy_denies_requests_without_tls(env_app):
    for bucket_id in env_app.resources(env_app.stacks.lake, "AWS::S3::Bucket"):
        statements = bucket_policy_statements(env_app, bucket_id)
        denials = [s for s in statements if s["Effect"] == "Deny" and s["Principal"] == {"AWS": "*"}]
        conditions = [s["Condition"] for s in denials if s["Action"] == "s3:*"]
        assert {"Bool": {"aws:SecureTransport": "false"}} in conditions
        assert {"NumericLessThan": {"s3:TlsVersion": 1.2}} in conditions


def test_lake_bucket_logs_to_the_access_log_bucket_which_admits_only_its_deliveries(env_app):
    lake_bucket, _ = buckets(env_app)
    logging = lake_bucket["LoggingConfiguration"]
    assert logging["LogFilePrefix"] == "lake/"
    access_logs_id = logging["DestinationBucketName"]["Ref"]
    (delivery,) = [s for s in bucket_policy_statements(env_app, access_logs_id) if s["Effect"] == "Allow"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Action"] == "s3:PutObject"
    assert delivery["Condition"]["ArnLike"]["aws:SourceArn"] == {"Fn::GetAtt": [lake_bucket_id(env_app), "Arn"]}


def test_lake_lifecycle_rules_follow_the_environment_retention(env_app):
    retention = env_app.settings.retention
    lake_bucket, _ = buckets(env_app)
    rules = rules_by_id(lake_bucket)
    assert all(rule["Status"] == "Enabled" for rule in rules.values())
    assert rules["expire-athena-results"]["Prefix"] == "athena-results/"
    assert rules["expire-athena-results"]["ExpirationInDays"] == retention.athena_results_days
    assert rules["raw-to-infrequent-access"]["Prefix"] == "raw/"
    assert rules["raw-to-infrequent-access"]["Transitions"] == [
        {"StorageClass": "STANDARD_IA", "TransitionInDays": retention.raw_to_infrequent_access_days}
    ]
    noncurrent = rules["expire-noncurrent-versions"]
    assert noncurrent["NoncurrentVersionExpiration"] == {"NoncurrentDays": retention.noncurrent_versions_days}
    assert "Prefix" not in noncurrent
    abort = rules["abort-incomplete-multipart-uploads"]
    assert abort["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] > 0
    assert "Prefix" not in abort


def test_access_logs_expire_after_the_environment_retention(env_app):
    _, access_logs = buckets(env_app)
    (rule,) = access_logs["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == env_app.settings.retention.access_logs_days
    assert rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] > 0


def test_lake_bucket_has_a_generated_name(env_app):
    lake_bucket, access_logs = buckets(env_app)
    assert "BucketName" not in lake_bucket
    assert "BucketName" not in access_logs


def test_infrequent_access_earlier_than_s3_allows_is_refused():
    stack = Stack(App(), "Probe")
    with pytest.raises(ValueError, match="at least 30 days"):
        LakeStorage(
            stack,
            "Storage",
            key_alias="alias/probe",
            retention=RetentionSettings(raw_to_infrequent_access_days=10),
            removal_policy=RemovalPolicy.DESTROY,
        )


def test_key_has_an_alias_named_after_the_stack(env_app):
    lake = env_app.stacks.lake
    env_app.template(lake).has_resource_properties(
        "AWS::KMS::Alias",
        {"AliasName": f"alias/{lake.stack_name}", "TargetKeyId": Match.object_like({"Fn::GetAtt": Match.any_value()})},
    )
