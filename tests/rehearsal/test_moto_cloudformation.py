"""Which resource types the rehearsal sends to moto's CloudFormation (mlmeta.local.rehearsal.moto_cloudformation)."""

from __future__ import annotations

import pytest

from mlmeta.local.rehearsal.moto_cloudformation import MOTO_VERSION, unsupported_reason


@pytest.mark.parametrize("resource_type", ["AWS::S3::Bucket", "AWS::Lambda::Function", "AWS::Events::Rule", "Custom::SageMakerExperiment"])
def test_types_moto_models_and_custom_resources_are_sent(resource_type):
    assert unsupported_reason(resource_type) is None


def test_a_type_moto_has_no_model_for_is_skipped_with_that_reason():
    assert unsupported_reason("AWS::Glue::Table") == f"moto {MOTO_VERSION}'s CloudFormation has no model for AWS::Glue::Table"


def test_cdks_version_reporting_resource_is_skipped_as_what_it_is():
    # `cdk synth` adds one to every stack; it configures nothing in an account.
    assert unsupported_reason("AWS::CDK::Metadata").startswith("CDK's version-reporting metadata: it configures nothing")
