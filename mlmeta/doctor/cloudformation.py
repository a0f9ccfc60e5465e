"""Reading deployed CloudFormation stacks: does one exist, is it in a usable state, what does it hold."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from mlmeta.doctor.aws import error_code


def find_stack(cloudformation: Any, name: str) -> dict[str, Any] | None:
    """The stack of that name (DescribeStacks), or None when there is none (deleted stacks included)."""
    try:
        (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as err:
        # CloudFormation answers a missing stack with a ValidationError "Stack with id X does not exist".
        if error_code(err) == "ValidationError" and "does not exist" in str(err):
            return None
        raise
    return None if stack["StackStatus"] == "DELETE_COMPLETE" else stack


def is_complete(status: str) -> bool:
    """CREATE_COMPLETE, UPDATE_COMPLETE, IMPORT_COMPLETE: the last operation succeeded. A *_ROLLBACK_COMPLETE
    stack is stable but its last change failed; *_IN_PROGRESS is not finished; *_FAILED needs a person."""
    return status.endswith("_COMPLETE") and "ROLLBACK" not in status and status != "DELETE_COMPLETE"


def stack_resources(cloudformation: Any, name: str) -> list[dict[str, Any]]:
    """Every resource of the stack (ListStackResources, all pages)."""
    pages = cloudformation.get_paginator("list_stack_resources").paginate(StackName=name)
    return [resource for page in pages for resource in page["StackResourceSummaries"]]


def stack_output(stack: dict[str, Any], key: str) -> str | None:
    return next((o["OutputValue"] for o in stack.get("Outputs", []) if o["OutputKey"] == key), None)
