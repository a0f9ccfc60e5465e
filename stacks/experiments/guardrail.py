"""The preventive layer of the naming convention: a managed IAM policy for data-scientist roles.

People create EDA work only: their EDA experiments, dated EDA trials, and the runs (EDA components,
``{trial}-{run}``) inside those trials. Everything else is created by machines (pipeline experiments by this stack, environment
trials by SageMaker Pipelines, analysis trials and components by the pipeline's evaluation step under
its execution role), so people get no Create* on those shapes.

- Allow: Create{Experiment,Trial,TrialComponent} and AddTags, only on ARNs of those shapes
  (``mlmeta_contract.naming.arn_patterns``) for the environment's use cases.
- ``enforce`` mode adds an explicit Deny of the three Create* actions on every other ARN (NotResource),
  so a broader allow elsewhere (AmazonSageMakerFullAccess) cannot bypass it. ``audit`` mode has only
  the Allow: nothing is blocked, and the naming guard reports violations after the fact.

IAM wildcards cannot say "one word" or "a real date", so this gate is coarse; the naming guard checks
the exact convention after creation.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack, Token
from aws_cdk import aws_iam as iam
from constructs import Construct

from mlmeta.config.settings import NamingMode
from mlmeta_contract.naming import RESOURCE_TYPES, NamingConvention, arn_patterns
from mlmeta_contract.resources import resource_name
from stacks.common import nag

# The kinds a person creates by hand: EDA experiments, their trials, and the runs (components) in those.
HUMAN_KINDS = ("eda-experiment", "eda-trial", "eda-component")
EXPERIMENT, TRIAL, COMPONENT = "experiment", "experiment-trial", "experiment-trial-component"
CREATE_ACTION = {
    EXPERIMENT: "sagemaker:CreateExperiment",
    TRIAL: "sagemaker:CreateTrial",
    COMPONENT: "sagemaker:CreateTrialComponent",
}
ADD_TAGS = "sagemaker:AddTags"

_WILDCARDS_REASON = (
    "The wildcards are the convention's free-text parts (user, topic, component) and fixed-length "
    "parts (date), scoped to the environment's use cases and EDA shapes; IAM has no finer pattern"
)


def human_arn_patterns(
    use_cases: Sequence[str], convention: NamingConvention, *, partition: str, region: str, account: str
) -> dict[str, tuple[str, ...]]:
    """ARN patterns people may create, by SageMaker resource type (the convention's EDA kinds)."""
    patterns: dict[str, dict[str, None]] = {EXPERIMENT: {}, TRIAL: {}, COMPONENT: {}}
    for use_case in use_cases:
        for kind in HUMAN_KINDS:
            for arn in arn_patterns(kind, use_case, partition=partition, region=region, account=account, convention=convention):
                patterns[RESOURCE_TYPES[kind]][arn] = None
    return {resource_type: tuple(arns) for resource_type, arns in patterns.items()}


class NamingGuardrail(Construct):
    """``policy`` is the environment's guardrail; it is attached to ``role_names`` (imported by name)."""

    policy: iam.ManagedPolicy

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        use_cases: Sequence[str],
        naming_mode: NamingMode,
        role_names: Sequence[str],
        convention: NamingConvention,
    ) -> None:
        super().__init__(scope, construct_id)
        if not use_cases:
            raise ValueError("the naming guardrail needs at least one use case to derive the allowed names from")
        stack = Stack.of(self)
        patterns = human_arn_patterns(
            use_cases, convention, partition=stack.partition, region=stack.region, account=stack.account
        )
        every_pattern = [arn for arns in patterns.values() for arn in arns]
        statements = [
            iam.PolicyStatement(sid=f"Create{_sid(resource_type)}", actions=[CREATE_ACTION[resource_type]], resources=list(arns))
            for resource_type, arns in patterns.items()
        ]
        # IAM authorizes CreateTrial on the new trial and on the experiment it joins: people's EDA trials join
        # their EDA experiments (tests/infrastructure/test_iam_definitions.py checks this against IAM's definitions).
        statements.append(
            iam.PolicyStatement(sid="TrialsJoinEdaExperiments", actions=[CREATE_ACTION[TRIAL]], resources=list(patterns[EXPERIMENT]))
        )
        statements.append(iam.PolicyStatement(sid="TagConventionNames", actions=[ADD_TAGS], resources=every_pattern))
        if naming_mode == "enforce":
            statements.append(
                iam.PolicyStatement(
                    sid="DenyCreateOutsideConvention",
                    effect=iam.Effect.DENY,
                    actions=list(CREATE_ACTION.values()),
                    not_resources=every_pattern,
                )
            )
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            managed_policy_name=resource_name(environment, "experiment-naming"),
            description=f"mlmeta {environment} ({naming_mode}): create SageMaker experiments, trials and trial "
            "components only with names of the naming convention's EDA shapes",
            statements=statements,
            roles=[iam.Role.from_role_name(self, f"DataScientist{index}", name) for index, name in enumerate(role_names)],
        )
        # cdk-nag reports each wildcard resource as its own finding, with unresolved values as <AWS::...>.
        for arns in human_arn_patterns(use_cases, convention, **_as_nag_shows_them(stack)).values():
            for arn in arns:
                nag.suppress(self.policy, f"AwsSolutions-IAM5[Resource::{arn}]", _WILDCARDS_REASON)


def _as_nag_shows_them(stack: Stack) -> dict[str, str]:
    values = {"partition": (stack.partition, "AWS::Partition"), "region": (stack.region, "AWS::Region"),
              "account": (stack.account, "AWS::AccountId")}
    return {key: f"<{pseudo}>" if Token.is_unresolved(value) else value for key, (value, pseudo) in values.items()}


def _sid(resource_type: str) -> str:
    return "".join(word.capitalize() for word in resource_type.split("-"))
