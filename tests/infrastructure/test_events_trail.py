"""The CloudTrail trail of the events stack (``create_trail=True``, the default): write management events of
the region, log file validation, SSE-KMS with a key only CloudTrail's trail may use, a private TLS-only
logged bucket kept like the lake; cdk-nag and cfn-lint clean. One synth of the lake and events stacks."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from aws_cdk import Environment
from cfnlint.api import lint

from mlmeta.config import get_environment
from mlmeta.config.settings import SettingsError
from mlmeta.queries.catalog import load_queries
from stacks.events_stack import EventsStack
from stacks.lake_stack import LakeStack
from stacks.mlmeta_app import build, create_app

pytestmark = pytest.mark.slow

SETTINGS = replace(get_environment("prod"), create_trail=True)
# Audit evidence: pinned like the lake's stateful resources (a new id would mean a new, empty bucket).
PINNED = {"TrailKey31F874A3": "AWS::KMS::Key", "TrailBucket6C1E344E": "AWS::S3::Bucket",
          "TrailAccessLogsFEE33FE3": "AWS::S3::Bucket", "Trail76E5F934": "AWS::CloudTrail::Trail"}  # fmt: skip


@pytest.fixture(scope="module")
def synthesized_trail(tmp_path_factory):
    app = create_app(outdir=str(tmp_path_factory.mktemp("trail")))
    env = Environment(region=SETTINGS.region)
    lake = LakeStack(app, SETTINGS.stack_name("lake"), settings=SETTINGS, queries=list(load_queries().values()), env=env)
    events = EventsStack(app, SETTINGS.stack_name("events"), settings=SETTINGS, lake_bucket=lake.bucket, lake_key=lake.key, env=env)
    assembly = app.synth()
    return {
        "template": assembly.get_stack_by_name(events.stack_name).template,
        "report": json.loads((Path(assembly.directory) / "validation-report.json").read_text()),
    }


def of_type(template: dict, resource_type: str) -> dict[str, dict]:
    return {i: r for i, r in template["Resources"].items() if r["Type"] == resource_type}


def test_the_trail_logs_this_regions_write_management_events_with_validation(synthesized_trail):
    (trail,) = of_type(synthesized_trail["template"], "AWS::CloudTrail::Trail").values()
    props = trail["Properties"]

    assert props["TrailName"] == "mlmeta-prod-management-events"
    assert props["EventSelectors"] == [{"IncludeManagementEvents": True, "ReadWriteType": "WriteOnly"}]
    assert (props["IsMultiRegionTrail"], props["IncludeGlobalServiceEvents"], props["IsLogging"]) == (False, False, True)
    assert props["EnableLogFileValidation"] is True
    assert props["KMSKeyId"] == {"Fn::GetAtt": ["TrailKey31F874A3", "Arn"]}
    assert props["S3BucketName"] == {"Ref": "TrailBucket6C1E344E"}


def test_only_this_trail_may_use_the_key(synthesized_trail):
    key = of_type(synthesized_trail["template"], "AWS::KMS::Key")["TrailKey31F874A3"]["Properties"]
    cloudtrail = [s for s in key["KeyPolicy"]["Statement"] if s.get("Principal") == {"Service": "cloudtrail.amazonaws.com"}]

    assert key["EnableKeyRotation"] is True
    assert sorted(s["Sid"] for s in cloudtrail) == ["CloudTrailDescribesKey", "CloudTrailEncryptsLogFiles"]
    for statement in cloudtrail:
        source = statement["Condition"]["StringEquals"]["aws:SourceArn"]["Fn::Join"][1]
        assert source[-1].endswith(":trail/mlmeta-prod-management-events")


def test_the_bucket_is_encrypted_private_tls_only_logged_and_kept(synthesized_trail):
    buckets = of_type(synthesized_trail["template"], "AWS::S3::Bucket")
    bucket = buckets["TrailBucket6C1E344E"]
    (rule,) = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]

    assert rule["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["TrailKey31F874A3", "Arn"]},
    }  # fmt: skip
    # CloudTrail's key condition checks its own encryption context; a bucket key would replace it.
    assert rule.get("BucketKeyEnabled") in (None, False)
    assert bucket["Properties"]["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    assert bucket["Properties"]["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "TrailAccessLogsFEE33FE3"}
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Retain", "Retain")  # prod retains data
    policies = of_type(synthesized_trail["template"], "AWS::S3::BucketPolicy").values()
    (policy,) = [p for p in policies if p["Properties"]["Bucket"] == {"Ref": "TrailBucket6C1E344E"}]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements)


def test_the_trails_stateful_ids_are_pinned(synthesized_trail):
    found = synthesized_trail["template"]["Resources"]
    assert {logical_id: found[logical_id]["Type"] for logical_id in PINNED} == PINNED


def test_cdk_nag_and_cfn_lint_are_clean_with_the_trail(synthesized_trail):
    assert synthesized_trail["report"]["pluginReports"] == []
    matches = lint(json.dumps(synthesized_trail["template"]), regions=[SETTINGS.region])
    assert [f"{m.rule.id} {m.message}" for m in matches] == []


def test_synth_fails_with_one_line_when_no_trail_delivers_the_naming_guards_events(tmp_path):
    settings = replace(SETTINGS, create_trail=False, existing_trail=None)
    with pytest.raises(SettingsError, match=r"^environment prod: the naming guard needs a CloudTrail trail .* existing_trail="):
        build(create_app(outdir=str(tmp_path)), settings, list(load_queries().values()))


def test_synth_refuses_a_second_trail_beside_a_declared_one(tmp_path):
    settings = replace(SETTINGS, create_trail=True, existing_trail="org-trail")
    with pytest.raises(SettingsError, match=r"^environment prod: create_trail=True and existing_trail='org-trail' both"):
        build(create_app(outdir=str(tmp_path)), settings, list(load_queries().values()))


def test_a_declared_organisation_trail_means_no_trail_of_our_own(tmp_path):
    settings = replace(SETTINGS, create_trail=False, existing_trail="arn:aws:cloudtrail:us-east-1:111122223333:trail/org")
    stacks = build(create_app(outdir=str(tmp_path)), settings, list(load_queries().values()))
    assert stacks.events.trail is None


def test_notice_subscribers_are_subscribed_by_their_protocol(tmp_path):
    settings = replace(SETTINGS, notice_subscribers=("mlops@example.com", "https://hooks.example.com/mlmeta"))
    app = create_app(outdir=str(tmp_path))
    stacks = build(app, settings, list(load_queries().values()))
    template = app.synth().get_stack_by_name(stacks.events.stack_name).template
    found = {(r["Properties"]["Protocol"], r["Properties"]["Endpoint"]) for r in template["Resources"].values()
             if r["Type"] == "AWS::SNS::Subscription"}
    assert found == {("email", "mlops@example.com"), ("https", "https://hooks.example.com/mlmeta")}


@pytest.mark.parametrize("subscriber", ["mlops", "http://hooks.example.com/x", "https://", "a@b"])
def test_a_subscriber_that_is_neither_an_address_nor_an_https_url_fails_synth_in_one_line(tmp_path, subscriber):
    settings = replace(SETTINGS, notice_subscribers=(subscriber,))
    with pytest.raises(SettingsError, match=rf"^environment prod: notice subscriber '{re.escape(subscriber)}' is neither"):
        build(create_app(outdir=str(tmp_path)), settings, list(load_queries().values()))
