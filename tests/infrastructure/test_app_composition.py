"""Stack names, environments, tags and outputs of the composed app."""

from __future__ import annotations

from aws_cdk.assertions import Annotations, Match

from stacks.mlmeta_app import MANAGED_BY, TAG_ENVIRONMENT, TAG_MANAGED_BY

# Resource types in the stacks whose CloudFormation schema has Tags.
TAGGABLE_TYPES = (
    "AWS::KMS::Key", "AWS::S3::Bucket", "AWS::Athena::WorkGroup",
    "AWS::Lambda::Function", "AWS::IAM::Role", "AWS::Logs::LogGroup", "AWS::CloudWatch::Alarm", "AWS::SageMaker::MlflowApp",
)


def expected_tags(env_app) -> dict[str, str]:
    return {TAG_ENVIRONMENT: env_app.settings.name, TAG_MANAGED_BY: MANAGED_BY}


def test_stacks_are_named_and_placed_by_the_settings(env_app):
    for stack in env_app.stacks.all():
        artifact = env_app.artifact(stack)
        assert artifact.stack_name.startswith(f"mlmeta-{env_app.settings.name}-")
        assert artifact.environment.region == env_app.settings.region
        # No account configured: left unresolved, so synth needs no credentials.
        expected_account = env_app.settings.account or "unknown-account"
        assert artifact.environment.account == expected_account
    assert env_app.stacks.lake.stack_name == env_app.settings.stack_name("lake")


def test_stacks_carry_the_common_tags(env_app):
    for stack in env_app.stacks.all():
        assert env_app.artifact(stack).tags == expected_tags(env_app)


def test_every_taggable_resource_carries_the_common_tags(env_app):
    tags = expected_tags(env_app)
    for stack in env_app.stacks.all():
        resources = env_app.template_json(stack)["Resources"].values()
        taggable = [r for r in resources if r["Type"] in TAGGABLE_TYPES]
        assert taggable
        for resource in taggable:
            found = {t["Key"]: t["Value"] for t in resource["Properties"]["Tags"]}
            assert {k: found.get(k) for k in tags} == tags


def test_outputs_name_the_bucket_workgroup_and_database(env_app):
    lake = env_app.stacks.lake
    template = env_app.template(lake)
    bucket_id = lake.get_logical_id(lake.bucket.node.default_child)
    template.has_output("LakeBucketName", {"Value": {"Ref": bucket_id}})
    template.has_output("AthenaWorkgroupName", {"Value": env_app.settings.athena_workgroup_name})
    template.has_output("GlueDatabaseName", {"Value": env_app.settings.glue_database_name})


def test_lake_stack_exposes_what_later_stacks_need(env_app):
    lake = env_app.stacks.lake
    settings = env_app.settings
    assert lake.database_name == settings.glue_database_name
    assert lake.workgroup_name == settings.athena_workgroup_name
    assert lake.resolve(lake.athena_results_location) == {
        "Fn::Join": ["", ["s3://", {"Ref": lake.get_logical_id(lake.bucket.node.default_child)}, "/athena-results/"]]
    }
    assert lake.resolve(lake.key.key_arn) == {"Fn::GetAtt": [lake.get_logical_id(lake.key.node.default_child), "Arn"]}


def test_no_cdk_warnings_or_errors(env_app):
    # `cdk synth --strict` fails on any warning; catch it here, with the message.
    for stack in env_app.stacks.all():
        annotations = Annotations.from_stack(stack)
        assert annotations.find_warning("*", Match.any_value()) == []
        assert annotations.find_error("*", Match.any_value()) == []
