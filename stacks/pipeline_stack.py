"""The pipeline stack of one use case in one environment (stateless, but for its artifacts).

It holds the SageMaker Pipeline, whose definition the SDK builds at synth (stacks.pipeline.definition),
the model package group it registers into, the artifacts bucket, the step code asset, the execution
role and, when the use case has a schedule, an EventBridge Scheduler schedule.

Every name it gives SageMaker follows the naming convention and is checked before any construct
exists (stacks.common.compliant_names): a bad use case in the config fails ``cdk synth`` with one line naming
the name, its kind, the rule it breaks and the config entry. The pipeline's experiment
``{usecase}-{env}-pipeline`` is the experiments stack's; this stack only refers to it by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import CfnOutput, Stack, Tags, Token
from constructs import Construct

from mlmeta.config import EnvironmentSettings, UseCase
from mlmeta_contract.naming import NamingConvention
from mlmeta_contract.naming.tags import TAG_KIND, TAG_USE_CASE
from stacks.common.removal import removal_policy
from stacks.pipeline.definition import PipelineSpec, build_definition
from stacks.pipeline.definition.binary_classification import image_uris_of
from pipelines.common.tracking import DEFAULT_STEP
from stacks.common.compliant_names import compliant_name
from stacks.pipeline.artifacts import PipelineArtifacts
from stacks.pipeline.execution_role import PipelineExecutionRole
from stacks.pipeline.sagemaker_pipeline import SageMakerPipeline
from stacks.pipeline.schedule import PipelineSchedule
from stacks.pipeline.step_code import StepCode, bundle_files, step_package
from stacks.tracking.permissions import mlflow_statements
from stacks.tracking.target import SAGEMAKER, TrackingTarget

# Any id of the right shape: every execution id has 12 characters, so this checks the longest names
# an execution will get (trials 1.1 and 1.2, the evaluation component) against the 120-character limit.
EXAMPLE_EXECUTION_ID = "p4jn9xou8a8s"
# Fn::Sub references in the definition, filled in by CloudFormation.
ROLE_ARN_REFERENCE = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${PipelineRoleName}"
ARTIFACTS_URI_REFERENCE = "s3://${ArtifactsBucket}"
STEP_CODE_BUCKET_REFERENCE = "${StepCodeBucket}"
# The provisioned MLflow server's ARN, known at deploy only.
MLFLOW_TRACKING_URI_VARIABLE = "MlflowTrackingUri"


@dataclass(frozen=True)
class PipelineNames:
    pipeline: str
    experiment: str
    model_package_group: str


def checked_pipeline_names(env: str, use_case: str, convention: NamingConvention) -> PipelineNames:
    """The names this stack creates or refers to, each checked; plus the per-execution shapes."""
    source = f"environment {env}, use case {use_case!r}"
    parts = {"use_case": use_case, "env": env, "convention": convention, "source": source}
    names = PipelineNames(
        pipeline=compliant_name("pipeline", **parts),
        experiment=compliant_name("pipeline-experiment", **parts),
        # The model package group takes the pipeline's name: the shape {usecase}-{env}.
        model_package_group=compliant_name("pipeline", **{**parts, "source": f"{source} (model package group)"}),
    )
    for kind, extra in (("environment-trial", {}), ("analysis-trial", {}), ("analysis-component", {"step": DEFAULT_STEP})):
        compliant_name(kind, execution_id=EXAMPLE_EXECUTION_ID, **extra, **parts)
    return names


class PipelineStack(Stack):
    names: PipelineNames
    pipeline: SageMakerPipeline

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: EnvironmentSettings,
        use_case: UseCase,
        tracking: TrackingTarget = SAGEMAKER,
        **kwargs,
    ) -> None:
        # Before any construct: bad names and missing step code fail the synth here.
        convention = settings.convention
        names = checked_pipeline_names(settings.name, use_case.name, convention)
        package = step_package(use_case.name)
        bundle_files(package)
        super().__init__(
            scope,
            construct_id,
            description=f"mlmeta {settings.name}: SageMaker pipeline {names.pipeline}, its role, artifacts and schedule.",
            **kwargs,
        )
        self.names = names
        retained = removal_policy(settings)
        Tags.of(self).add(TAG_USE_CASE, use_case.name)

        artifacts = PipelineArtifacts(
            self, "Artifacts", key_alias=f"alias/{construct_id}-artifacts", retention=settings.retention, removal_policy=retained
        )
        code = StepCode(self, "StepCode", package=package)
        # A token (the tracking stack's ARN) goes into the definition as a ${...} reference, filled in at deploy.
        uri_is_token = tracking.uri is not None and Token.is_unresolved(tracking.uri)
        tracking_variables = {MLFLOW_TRACKING_URI_VARIABLE: tracking.uri} if uri_is_token else {}
        spec = PipelineSpec(
            use_case=use_case.name,
            env=settings.name,
            region=settings.region,
            pipeline_name=names.pipeline,
            experiment_name=names.experiment,
            model_package_group_name=names.model_package_group,
            role_arn=ROLE_ARN_REFERENCE,
            artifacts_uri=ARTIFACTS_URI_REFERENCE,
            code_uri=f"s3://{STEP_CODE_BUCKET_REFERENCE}/{code.object_key}",
            step_package=package,
            convention=convention,
            tracking_environment=tracking.environment(uri=f"${{{MLFLOW_TRACKING_URI_VARIABLE}}}" if uri_is_token else None),
        )
        role = PipelineExecutionRole(
            self,
            "ExecutionRole",
            use_case=use_case.name,
            env=settings.name,
            model_package_group_name=names.model_package_group,
            artifacts_bucket=artifacts.bucket,
            artifacts_key=artifacts.key,
            code_bucket=code.asset.bucket,
            code_object_key=code.object_key,
            image_uris=image_uris_of(spec),
            convention=convention,
            tracking_statements=mlflow_statements(tracking, records=True),
        )
        self.pipeline = SageMakerPipeline(
            self,
            "Pipeline",
            pipeline_name=names.pipeline,
            description=use_case.description or f"{use_case.name} in {settings.name}",
            definition=build_definition(spec),
            variables={
                "PipelineRoleName": role.role.role_name,
                "ArtifactsBucket": artifacts.bucket.bucket_name,
                "StepCodeBucket": code.asset.s3_bucket_name,
                **tracking_variables,
            },
            role=role.role,
            role_policy=role.policy,
            model_package_group_name=names.model_package_group,
            removal_policy=retained,
        )
        Tags.of(self.pipeline.pipeline).add(TAG_KIND, "pipeline")
        if use_case.schedule:
            PipelineSchedule(
                self,
                "Schedule",
                schedule_name=names.pipeline,
                expression=use_case.schedule,
                pipeline_name=names.pipeline,
                pipeline_arn=self.pipeline.pipeline_arn,
                source=f"environment {settings.name}, use case {use_case.name!r}",
            )

        CfnOutput(self, "PipelineName", value=names.pipeline, description="SageMaker pipeline (start it, or see its runs)")
        CfnOutput(self, "ArtifactsBucketName", value=artifacts.bucket.bucket_name, description="Upload CSVs under input/")
        CfnOutput(self, "ModelPackageGroupName", value=names.model_package_group, description="Registered models")
