"""The IAM actions ``mlmeta doctor`` needs: reads everywhere, plus the probe (one PutEvents on the default
bus, receiving and deleting in the probe queue). docs/deploying.md lists them as a policy; the tests
check that a whole run calls nothing else and that each action exists in AWS's IAM definitions."""

from __future__ import annotations

DOCTOR_ACTIONS = (
    "athena:GetNamedQuery",
    "athena:GetWorkGroup",
    "athena:ListNamedQueries",
    "cloudformation:DescribeStacks",
    "cloudformation:ListStackResources",
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetEventSelectors",
    "cloudtrail:GetTrailStatus",
    "events:DescribeRule",
    "events:PutEvents",
    "iam:GetRole",
    "lambda:GetFunctionConfiguration",
    "lambda:GetLayerVersion",
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ReceiveMessage",
    "ssm:GetParameter",
)

# API operations whose IAM action has another name, and those that need no permission at all.
ACTION_OF_OPERATION = {"lambda:GetLayerVersionByArn": "lambda:GetLayerVersion"}
NEEDS_NO_PERMISSION = frozenset({"sts:GetCallerIdentity"})


def action_of(service_prefix: str, operation: str) -> str | None:
    """The IAM action an API call needs (None: none)."""
    call = f"{service_prefix}:{operation}"
    return None if call in NEEDS_NO_PERMISSION else ACTION_OF_OPERATION.get(call, call)
