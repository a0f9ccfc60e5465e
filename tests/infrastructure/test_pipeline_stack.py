"""The pipeline stack's other resources: artifacts bucket, step code asset, model package group, tags."""

from __future__ import annotations

from pathlib import Path

from pipeline_template import pipeline_stack, single

from stacks.pipeline.step_code import bundle_files

BLOCK_ALL = {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}


def artifacts_buckets(env_app) -> tuple[dict, dict]:
    stack = pipeline_stack(env_app)
    artifacts = stack.node.find_child("Artifacts")
    buckets = env_app.resources(stack, "AWS::S3::Bucket")
    return (
        buckets[stack.get_logical_id(artifacts.bucket.node.default_child)],
        buckets[stack.get_logical_id(artifacts.access_logs_bucket.node.default_child)],
    )


def test_artifacts_bucket_is_encrypted_versioned_private_logged_and_kept_per_settings(env_app):
    bucket, logs = artifacts_buckets(env_app)
    properties = bucket["Properties"]
    (rule,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms" and rule["BucketKeyEnabled"] is True
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert properties["PublicAccessBlockConfiguration"] == BLOCK_ALL
    assert properties["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": pipeline_stack(env_app).get_logical_id(
        pipeline_stack(env_app).node.find_child("Artifacts").access_logs_bucket.node.default_child
    )}
    assert logs["Properties"]["PublicAccessBlockConfiguration"] == BLOCK_ALL
    expected = "Retain" if env_app.settings.retain_data else "Delete"
    assert bucket["DeletionPolicy"] == expected
    _, group = single(env_app, "AWS::SageMaker::ModelPackageGroup")
    assert group["DeletionPolicy"] == expected


def test_artifacts_bucket_refuses_plain_http(env_app):
    stack = pipeline_stack(env_app)
    bucket_id = stack.get_logical_id(stack.node.find_child("Artifacts").bucket.node.default_child)
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in env_app.resources(stack, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    (statements,) = policies
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements)


def test_nothing_expires_but_old_versions_and_abandoned_uploads(env_app):
    bucket, _ = artifacts_buckets(env_app)
    rules = {rule["Id"]: rule for rule in bucket["Properties"]["LifecycleConfiguration"]["Rules"]}
    assert set(rules) == {"executions-to-infrequent-access", "expire-noncurrent-versions", "abort-incomplete-multipart-uploads"}
    assert not [rule for rule in rules.values() if "ExpirationInDays" in rule]


def test_staged_step_code_is_exactly_the_bundle(env_app):
    key = pipeline_stack(env_app).node.find_child("StepCode").object_key
    staged = Path(env_app.assembly.directory) / f"asset.{key.removesuffix('.zip')}"
    files = {p.relative_to(staged).as_posix(): p.read_bytes() for p in staged.rglob("*") if p.is_file()}
    assert files == {inside: source.read_bytes() for inside, source in bundle_files("churn_prediction").items()}


def test_pipeline_carries_the_use_case_and_kind_tags(env_app):
    _, pipeline = single(env_app, "AWS::SageMaker::Pipeline")
    tags = {t["Key"]: t["Value"] for t in pipeline["Properties"]["Tags"]}
    assert tags["mlmeta:use-case"] == "churn-prediction"
    assert tags["mlmeta:environment"] == env_app.settings.name
    assert tags["mlmeta:kind"] == "pipeline"


def test_pipeline_waits_for_its_role_policy_and_its_model_package_group(env_app):
    stack = pipeline_stack(env_app)
    _, pipeline = single(env_app, "AWS::SageMaker::Pipeline")
    policy_id = stack.get_logical_id(stack.node.find_child("ExecutionRole").policy.node.default_child)
    group_id, _ = single(env_app, "AWS::SageMaker::ModelPackageGroup")
    assert {policy_id, group_id} <= set(pipeline["DependsOn"])


def test_pipeline_stack_deploys_after_the_experiments_stack(env_app):
    assert env_app.stacks.experiments in pipeline_stack(env_app).dependencies
