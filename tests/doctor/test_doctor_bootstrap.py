"""CDK bootstrap: the CDKToolkit stack and /cdk-bootstrap/hnb659fds/version on moto; stack states moto
does not reach through the Stubber (DescribeStacks' documented shape)."""

from __future__ import annotations

from doctor_shapes import stack
from doctor_world import bootstrap, context, moto_client, stubbed

from mlmeta.doctor.bootstrap import MIN_BOOTSTRAP_VERSION, check_bootstrap


def test_a_bootstrapped_region_of_a_recent_version_passes():
    bootstrap(version="21")
    result = check_bootstrap(context())
    assert result.ok
    assert result.detail == f"CDKToolkit CREATE_COMPLETE, bootstrap version 21 (templates need {MIN_BOOTSTRAP_VERSION}+)"


def test_the_minimum_version_passes_and_the_one_before_fails():
    bootstrap(version=str(MIN_BOOTSTRAP_VERSION))
    assert check_bootstrap(context()).ok
    moto_client("ssm").put_parameter(
        Name="/cdk-bootstrap/hnb659fds/version", Value=str(MIN_BOOTSTRAP_VERSION - 1), Type="String", Overwrite=True
    )
    result = check_bootstrap(context())
    assert not result.ok
    assert result.detail == f"bootstrap version {MIN_BOOTSTRAP_VERSION - 1} in ap-northeast-1; the templates need {MIN_BOOTSTRAP_VERSION} or later"
    assert result.fix == "bootstrap again with this project's CDK CLI: node_modules/.bin/cdk bootstrap aws://123456789012/ap-northeast-1"


def test_an_unbootstrapped_region_fails_with_the_bootstrap_command():
    result = check_bootstrap(context())
    assert (result.ok, result.detail) == (False, "no CDKToolkit stack in ap-northeast-1: the region is not bootstrapped")
    assert result.fix == "node_modules/.bin/cdk bootstrap aws://123456789012/ap-northeast-1"


def test_a_toolkit_stack_without_its_version_parameter_fails():
    bootstrap()
    moto_client("ssm").delete_parameter(Name="/cdk-bootstrap/hnb659fds/version")
    result = check_bootstrap(context())
    assert (result.ok, result.detail) == (False, "CDKToolkit exists but /cdk-bootstrap/hnb659fds/version does not")


def test_a_toolkit_stack_whose_last_update_rolled_back_fails():
    cloudformation, stub = stubbed("cloudformation")
    stub.add_response("describe_stacks", stack("CDKToolkit", "UPDATE_ROLLBACK_COMPLETE"), {"StackName": "CDKToolkit"})
    with stub:
        result = check_bootstrap(context(cloudformation=cloudformation))
    assert (result.ok, result.detail) == (False, "CDKToolkit is UPDATE_ROLLBACK_COMPLETE")
