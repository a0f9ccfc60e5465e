"""cdk-nag: the AWS Solutions rules run on every synth; acknowledgements go through ``suppress`` only.

cdk-nag 3 is a CDK validation plugin: any unacknowledged finding fails the synth, and the report is
written to ``policy-validation-report.json`` in the cloud assembly.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

# A suppression must say why the rule does not apply here, not just that it is suppressed.
MIN_REASON_LENGTH = 30


def checks(scope: IConstruct) -> AwsSolutionsChecks:
    # Acknowledgements are also written into each resource's template Metadata (cdk_nag.rules_to_suppress),
    # so the template itself is the audit trail of what was suppressed and why.
    return AwsSolutionsChecks(scope, verbose=True, write_suppressions_to_cloud_formation=True)


def add_checks(scope: IConstruct) -> None:
    """Run the AwsSolutions pack on every template under ``scope`` (an App or Stage)."""
    Validations.of(scope).add_plugins(checks(scope))


def suppress(construct: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one rule on one construct, with a reason a reviewer can check."""
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValueError(f"cdk-nag suppression of {rule_id} needs a reason of at least {MIN_REASON_LENGTH} characters")
    Validations.of(construct).acknowledge(Acknowledgment(id=rule_id, reason=reason))
