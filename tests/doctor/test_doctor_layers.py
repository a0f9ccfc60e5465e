"""Public layers: moto refuses AWS's reserved /aws/service/ parameter names and implements no
GetLayerVersionByArn, so SSM and Lambda answer through the Stubber with the documented shapes."""

from __future__ import annotations

import pytest
from doctor_shapes import layer_version, public_parameter
from doctor_world import context, layer_arn, stubbed

from mlmeta.config import lambda_runtime
from mlmeta.doctor.layers import LAYERS, check_layer

RUNTIME, ARCH = lambda_runtime.runtime_name(), lambda_runtime.ARCHITECTURE


def run(layer, *, arn: str | None = None, parameter_error: str | None = None, version: dict | None = None, version_error: str | None = None):
    ssm, ssm_stub = stubbed("ssm")
    lambda_, lambda_stub = stubbed("lambda")
    if parameter_error:
        ssm_stub.add_client_error("get_parameter", parameter_error, f"Parameter {layer.parameter} not found.", 400)
    else:
        arn = arn or layer_arn(layer)
        ssm_stub.add_response("get_parameter", public_parameter(layer.parameter, arn), {"Name": layer.parameter})
        if version_error:
            lambda_stub.add_client_error("get_layer_version_by_arn", version_error, "User is not authorized to perform: lambda:GetLayerVersion", 403)
        elif version is not None:
            lambda_stub.add_response("get_layer_version_by_arn", version, {"Arn": arn})
    with ssm_stub, lambda_stub:
        result = check_layer(context(ssm=ssm, **{"lambda": lambda_}), layer)
        ssm_stub.assert_no_pending_responses()
        lambda_stub.assert_no_pending_responses()
    return result


@pytest.fixture(params=LAYERS, ids=lambda layer: layer.label)
def layer(request):
    return request.param


def test_a_layer_of_the_publisher_for_the_runtime_and_architecture_passes(layer):
    result = run(layer, version=layer_version(layer_arn(layer), ["python3.12", RUNTIME], [ARCH]))
    assert result.ok
    assert result.detail == f"{layer.parameter} -> {layer_arn(layer)} ({RUNTIME}, {ARCH})"


def test_a_parameter_the_region_does_not_have_fails_and_names_the_version_setting(layer):
    result = run(layer, parameter_error="ParameterNotFound")
    assert not result.ok
    assert result.detail == f"{layer.parameter} does not exist in ap-northeast-1: AWS publishes no such layer version for {RUNTIME} {ARCH} there"
    assert layer.version_setting in result.fix and "mlmeta/config/lambda_runtime.py" in result.fix


def test_an_arn_of_another_account_fails_before_the_layer_is_read(layer):
    result = run(layer, arn=layer_arn(layer, account="999999999999"))
    assert not result.ok
    assert f"published by account 999999999999, not {layer.label}'s publisher {layer.publisher_account}" in result.detail


def test_an_arn_of_another_region_fails(layer):
    result = run(layer, arn=layer_arn(layer, region="us-east-1"))
    assert not result.ok and result.detail.endswith("a layer of region us-east-1, not ap-northeast-1")


def test_a_value_that_is_no_layer_version_arn_fails(layer):
    result = run(layer, arn="arn:aws:lambda:ap-northeast-1:017000801446:function:x")
    assert not result.ok and result.detail.endswith("not a layer version ARN")


def test_a_layer_not_built_for_the_runtime_fails(layer):
    result = run(layer, version=layer_version(layer_arn(layer), ["python3.11", "python3.12"], [ARCH]))
    assert not result.ok
    assert result.detail == f"{layer_arn(layer)} is for python3.11, python3.12, not {RUNTIME} (or ap-northeast-1 does not offer {RUNTIME})"


def test_a_layer_for_another_architecture_fails_and_one_listing_none_is_x86_only(layer):
    assert not run(layer, version=layer_version(layer_arn(layer), [RUNTIME], ["x86_64"])).ok
    result = run(layer, version=layer_version(layer_arn(layer), [RUNTIME], None))
    assert (result.ok, result.detail) == (False, f"{layer_arn(layer)} is for x86_64, not {ARCH}")


def test_a_layer_the_caller_may_not_read_fails_with_the_permission_to_grant(layer):
    result = run(layer, version_error="AccessDeniedException")
    assert not result.ok
    assert "GetLayerVersionByArn: AccessDeniedException" in result.detail
    assert result.fix.startswith("allow lambda:GetLayerVersion")
