"""The experiments stack (stateful): the SageMaker experiments of every use case, provisioned by a custom
resource, and the naming guardrail policy for data-scientist roles.

Every name is checked against the naming convention before any construct exists, so a bad use case
or EDA user in the config fails ``cdk synth`` with one line (``stacks.common.compliant_names``). Experiments are
never deleted by CloudFormation or the handler: they hold the history of every run.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from mlmeta.config import EnvironmentSettings
from stacks.common.removal import removal_policy
from stacks.experiments.experiment import SageMakerExperiment
from stacks.experiments.guardrail import NamingGuardrail
from stacks.experiments.provisioner import ExperimentProvisioner
from stacks.experiments.specs import PIPELINE_EXPERIMENT, experiment_specs
from stacks.tracking.permissions import mlflow_statements
from stacks.tracking.target import SAGEMAKER, TrackingTarget


class ExperimentsStack(Stack):
    """Stateful: termination protection when ``settings.retain_data``; experiments are always retained."""

    # By experiment name; later stacks read names from here (plain strings: no cross-stack exports).
    experiments: dict[str, SageMakerExperiment]
    # The experiment of each use case's pipeline, by use case.
    pipeline_experiment_names: dict[str, str]
    guardrail_policy: iam.ManagedPolicy

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: EnvironmentSettings,
        tracking: TrackingTarget = SAGEMAKER,
        **kwargs,
    ) -> None:
        if not settings.use_cases:
            raise ValueError(f"environment {settings.name} has no use cases: there are no experiments to provision")
        # Before any construct: a bad name fails the synth here, naming the config entry.
        specs = experiment_specs(settings)
        convention = settings.convention
        super().__init__(
            scope,
            construct_id,
            description=f"mlmeta {settings.name}: SageMaker experiments and the naming guardrail. Stateful.",
            termination_protection=settings.retain_data,
            **kwargs,
        )
        # Log groups follow retain_data; experiments never depend on it.
        logs_removal = removal_policy(settings)
        provisioner = ExperimentProvisioner(
            self,
            "Provisioner",
            experiment_names=[spec.name for spec in specs],
            convention=convention,
            log_retention_days=settings.retention.log_retention_days,
            log_removal_policy=logs_removal,
        )

        use_case_scopes: dict[str, Construct] = {}
        self.experiments = {}
        for spec in specs:
            if spec.scope_id not in use_case_scopes:
                use_case_scopes[spec.scope_id] = Construct(self, spec.scope_id)
            self.experiments[spec.name] = SageMakerExperiment(
                use_case_scopes[spec.scope_id],
                spec.construct_id,
                spec=spec,
                service_token=provisioner.service_token,
                convention=convention,
            )
        self.pipeline_experiment_names = {spec.use_case: spec.name for spec in specs if spec.kind == PIPELINE_EXPERIMENT}

        guardrail = NamingGuardrail(
            self,
            "NamingGuardrail",
            environment=settings.name,
            use_cases=[use_case.name for use_case in settings.use_cases],
            naming_mode=settings.naming_mode,
            role_names=settings.data_scientist_role_names,
            convention=convention,
        )
        self.guardrail_policy = guardrail.policy
        # mlmeta.track records people's runs to the environment's MLflow server when it is SageMaker's.
        for statement in mlflow_statements(tracking, records=True):
            self.guardrail_policy.add_statements(statement.statement)

        CfnOutput(
            self,
            "GuardrailPolicyArn",
            value=self.guardrail_policy.managed_policy_arn,
            description="Attach to data-scientist roles (or list them in data_scientist_role_names)",
        )
        for use_case, name in self.pipeline_experiment_names.items():
            CfnOutput(self, f"PipelineExperiment-{use_case}", value=name, description=f"Experiment of the {use_case} pipeline")
