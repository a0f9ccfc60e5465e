"""Athena workgroup: engine v3, enforced configuration, KMS-encrypted results in the lake, scan cutoff."""

from __future__ import annotations


def workgroup(env_app) -> dict:
    workgroups = env_app.resources(env_app.stacks.lake, "AWS::Athena::WorkGroup")
    assert len(workgroups) == 1
    return next(iter(workgroups.values()))["Properties"]


def test_workgroup_is_named_by_the_environment_and_deletable_with_its_contents(env_app):
    properties = workgroup(env_app)
    assert properties["Name"] == env_app.settings.athena_workgroup_name
    assert properties["State"] == "ENABLED"
    assert properties["RecursiveDeleteOption"] is True


def test_workgroup_configuration_is_enforced(env_app):
    configuration = workgroup(env_app)["WorkGroupConfiguration"]
    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["PublishCloudWatchMetricsEnabled"] is True
    assert configuration["EngineVersion"] == {"SelectedEngineVersion": "Athena engine version 3"}
    assert configuration["BytesScannedCutoffPerQuery"] == env_app.settings.athena_bytes_scanned_cutoff


def test_results_go_to_the_lake_encrypted_with_the_lake_key(env_app):
    lake = env_app.stacks.lake
    bucket_id = lake.get_logical_id(lake.bucket.node.default_child)
    key_id = lake.get_logical_id(lake.key.node.default_child)
    results = workgroup(env_app)["WorkGroupConfiguration"]["ResultConfiguration"]
    assert results["OutputLocation"] == {"Fn::Join": ["", ["s3://", {"Ref": bucket_id}, "/athena-results/"]]}
    assert results["EncryptionConfiguration"] == {
        "EncryptionOption": "SSE_KMS",
        "KmsKey": {"Fn::GetAtt": [key_id, "Arn"]},
    }
    assert results["ExpectedBucketOwner"] == {"Ref": "AWS::AccountId"}

