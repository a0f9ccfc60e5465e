"""The environment's stacks: found on moto (deployed or not); statuses moto does not reach (rollbacks, in
progress, failed) as DescribeStacks documents them."""

from __future__ import annotations

import pytest
from doctor_shapes import stack
from doctor_world import context, create_stack, settings

from mlmeta.doctor.deployed_stacks import Deployment, check_stacks, expected_stack_names, find_deployment

DEV = settings()
PLACEHOLDER = {"Placeholder": {"Type": "AWS::SNS::Topic"}}


def test_the_expected_stacks_of_dev():
    assert expected_stack_names(DEV) == (
        "mlmeta-dev-lake", "mlmeta-dev-experiments", "mlmeta-dev-pipeline-churn-prediction",
        "mlmeta-dev-events", "mlmeta-dev-compaction", "mlmeta-dev-monitoring",
    )  # fmt: skip


def test_deployed_stacks_are_found_and_pass_and_missing_ones_fail_with_the_deploy_command():
    create_stack("mlmeta-dev-lake", PLACEHOLDER)
    deployment = find_deployment(context())
    assert deployment.anything_deployed
    results = {r.check: r for r in check_stacks(context(), deployment)}

    assert (results["stack mlmeta-dev-lake"].ok, results["stack mlmeta-dev-lake"].detail) == (True, "CREATE_COMPLETE")
    events = results["stack mlmeta-dev-events"]
    assert (events.ok, events.detail, events.fix) == (False, "not deployed", "make deploy ENV=dev")


def test_nothing_deployed_is_told_apart():
    assert find_deployment(context()).anything_deployed is False


@pytest.mark.parametrize("status", ["CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"])
def test_complete_statuses_pass(status):
    (result,) = check_stacks(context(), Deployment({"mlmeta-dev-lake": stack("mlmeta-dev-lake", status)["Stacks"][0]}))
    assert (result.ok, result.detail) == (True, status)


@pytest.mark.parametrize(
    ("status", "detail", "fix_starts"),
    [
        ("UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_COMPLETE: its last change failed", "read why in aws cloudformation describe-stack-events"),
        ("ROLLBACK_COMPLETE", "ROLLBACK_COMPLETE: its creation failed", "read why in aws cloudformation describe-stack-events"),
        ("UPDATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "wait for it to finish"),
        ("DELETE_FAILED", "DELETE_FAILED: its last change failed", "read why"),
        ("IMPORT_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_COMPLETE: its last change failed", "read why"),
    ],
)
def test_rollbacks_failures_and_unfinished_operations_fail(status, detail, fix_starts):
    described = stack("mlmeta-dev-lake", status)["Stacks"][0]
    (result,) = check_stacks(context(), Deployment({"mlmeta-dev-lake": described}))
    assert (result.ok, result.detail) == (False, detail)
    assert result.fix.startswith(fix_starts)


def test_the_status_reason_is_shown():
    described = stack("mlmeta-dev-lake", "ROLLBACK_COMPLETE", reason="The following resource(s) failed to create: [Bucket]")["Stacks"][0]
    (result,) = check_stacks(context(), Deployment({"mlmeta-dev-lake": described}))
    assert result.detail == "ROLLBACK_COMPLETE (The following resource(s) failed to create: [Bucket]): its creation failed"
    assert "delete the stack" in result.fix
