"""Data-scientist roles: iam GetRole on moto; a refused GetRole through the Stubber."""

from __future__ import annotations

import json

from doctor_world import LAMBDA_TRUST, context, moto_client, settings, stubbed

from mlmeta.doctor.roles import check_roles


def create_role(name: str) -> str:
    return moto_client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]


def test_each_configured_role_that_exists_passes_with_its_arn():
    arns = [create_role("DataScientist"), create_role("MlEngineer")]
    results = check_roles(context(settings(data_scientist_role_names=("DataScientist", "MlEngineer"))))
    assert [(r.check, r.ok, r.detail) for r in results] == [
        ("data-scientist role DataScientist", True, arns[0]),
        ("data-scientist role MlEngineer", True, arns[1]),
    ]


def test_a_role_that_does_not_exist_fails_and_the_others_are_still_checked():
    create_role("DataScientist")
    results = check_roles(context(settings(data_scientist_role_names=("DataScientst", "DataScientist"))))
    assert [r.ok for r in results] == [False, True]
    assert results[0].detail == "no IAM role DataScientst in account 123456789012"
    assert "remove it from data_scientist_role_names" in results[0].fix


def test_no_configured_role_passes_and_says_so():
    (result,) = check_roles(context(settings(data_scientist_role_names=())))
    assert result.ok and result.detail.startswith("none configured")


def test_a_get_role_the_caller_may_not_call_fails_with_the_permissions_fix():
    iam, stub = stubbed("iam")
    stub.add_client_error("get_role", "AccessDenied", "User is not authorized to perform: iam:GetRole", 403)
    with stub:
        (result,) = check_roles(context(settings(data_scientist_role_names=("DataScientist",)), iam=iam))
    assert (result.ok, result.detail) == (False, "GetRole: AccessDenied: User is not authorized to perform: iam:GetRole")
    assert "docs/deploying.md" in result.fix
