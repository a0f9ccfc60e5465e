"""The pipeline's execution role: what SageMaker Pipelines and the pipeline's jobs may do, and no more.

SageMaker assumes it twice: Pipelines, to start the jobs and create trial 1.1 (PipelineExperimentConfig),
and each job, to read its inputs and code, write its outputs and logs, and (evaluate) record trial 1.2.
Every statement names its actions (no ``*`` action) and its resources by ARN:

- S3: the artifacts bucket's ``executions/`` (read, write) and ``input/`` (read) prefixes; the step
  bundle's one object in the CDK asset bucket; the artifacts key for SSE-KMS;
- ECR: pull from the regional repositories of the images the definition uses;
- CloudWatch Logs: the processing- and training-job log groups under /aws/sagemaker/;
- SageMaker jobs: processing and training jobs named ``pipelines-*`` (Pipelines names its jobs so);
  model packages of this pipeline's model package group;
- SageMaker Experiments: the pipeline's experiment; trials 1.1 and 1.2 and the analysis component by
  the convention's ARN shapes (``mlmeta_contract.naming.arn_patterns``); job components ``pipelines-*``;
- iam:PassRole on itself, to SageMaker only (Pipelines passes the role to the jobs);
- with the MLflow backend, the evaluate step's MLflow calls on the environment's server's ARN only.

One action needs ``Resource: *`` (acknowledged below): ecr:GetAuthorizationToken, which has no resource
type in the IAM service definitions. sagemaker:BatchPutMetrics has the experiment-trial-component and
training-job resource types there, so it is scoped to the analysis component's ARN shape.
tests/infrastructure/test_iam_definitions.py checks every statement against those definitions: CreateTrial
needs both the trial's and its experiment's ARN.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from aws_cdk import ArnFormat, Aws, Fn, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from mlmeta_contract.naming import NamingConvention, arn_patterns
from stacks.pipeline.definition.spec import EXECUTIONS_PREFIX, INPUT_PREFIX
from stacks.common.iam import Statement, account_service_principal, acknowledge_wildcards, allow

# Pipelines names its jobs pipelines-<execution id>-<step>-<suffix>; job trial components add a suffix.
PIPELINE_JOB_PREFIX = "pipelines-"
JOB_LOG_GROUPS = ("/aws/sagemaker/ProcessingJobs", "/aws/sagemaker/TrainingJobs")
_ECR_IMAGE = re.compile(r"(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(?P<repository>[^:@]+)")


class PipelineExecutionRole(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        use_case: str,
        env: str,
        model_package_group_name: str,
        artifacts_bucket: s3.IBucket,
        artifacts_key: kms.IKey,
        code_bucket: s3.IBucket,
        code_object_key: str,
        image_uris: Iterable[str],
        convention: NamingConvention,
        tracking_statements: Sequence[Statement] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.role = iam.Role(
            self,
            "Role",
            description=f"SageMaker Pipelines and jobs of pipeline {use_case} in {env}",
            assumed_by=account_service_principal("sagemaker.amazonaws.com"),
        )

        def sagemaker_arn(resource: str) -> str:
            return stack.format_arn(service="sagemaker", resource=resource, resource_name=None)

        def convention_arns(kind: str) -> list[str]:
            return [Fn.sub(pattern) for pattern in arn_patterns(kind, use_case, env, convention=convention)]

        jobs = {kind: sagemaker_arn(f"{kind}/{PIPELINE_JOB_PREFIX}*") for kind in ("processing-job", "training-job")}
        pipeline_experiment = convention_arns("pipeline-experiment")
        environment_trials = convention_arns("environment-trial")
        analysis_trials = convention_arns("analysis-trial")
        analysis_components = convention_arns("analysis-component")
        job_components = [sagemaker_arn(f"experiment-trial-component/{PIPELINE_JOB_PREFIX}*")]
        package_group = sagemaker_arn(f"model-package-group/{model_package_group_name}")
        packages = sagemaker_arn(f"model-package/{model_package_group_name}/*")

        statements = [
            allow(
                "ArtifactsReadWrite",
                ["s3:GetObject", "s3:PutObject"],
                [artifacts_bucket.arn_for_objects(f"{EXECUTIONS_PREFIX}/*")],
                wildcards=f"each execution writes under {EXECUTIONS_PREFIX}/<execution id>/, an id Pipelines assigns at run "
                "time, in this pipeline's own bucket",
            ),
            allow(
                "InputRead",
                ["s3:GetObject"],
                [artifacts_bucket.arn_for_objects(f"{INPUT_PREFIX}/*")],
                wildcards=f"people upload extracts under {INPUT_PREFIX}/ with names known only when they start an execution (read only)",
            ),
            allow(
                "ArtifactsList",
                ["s3:ListBucket"],
                [artifacts_bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{EXECUTIONS_PREFIX}/*", f"{INPUT_PREFIX}/*"]}},
            ),
            allow("ArtifactsBucketLocation", ["s3:GetBucketLocation"], [artifacts_bucket.bucket_arn]),
            allow("ArtifactsKey", ["kms:Decrypt", "kms:GenerateDataKey"], [artifacts_key.key_arn]),
            allow("StepCodeRead", ["s3:GetObject"], [code_bucket.arn_for_objects(code_object_key)]),
            # Processing inputs are S3Prefix inputs: SageMaker lists the prefix, which is the object's key.
            allow(
                "StepCodeList",
                ["s3:ListBucket"],
                [code_bucket.bucket_arn],
                conditions={"StringEquals": {"s3:prefix": code_object_key}},
            ),
            allow(
                "ImagePull",
                ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                sorted(set(_repository_arns(image_uris))),
            ),
            allow(
                "ImageRegistryLogin",
                ["ecr:GetAuthorizationToken"],
                ["*"],
                wildcards="ecr:GetAuthorizationToken has no resource type; the token grants no image by itself (pulls are "
                "limited to the image repositories in ImagePull)",
            ),
            allow(
                "JobLogs",
                ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                [
                    stack.format_arn(
                        service="logs", resource="log-group", resource_name=f"{group}:*", arn_format=ArnFormat.COLON_RESOURCE_NAME
                    )
                    for group in JOB_LOG_GROUPS
                ],
                wildcards="SageMaker jobs write to log streams named after the job, known only at run time, in these two groups",
            ),
            allow(
                "PipelineJobs",
                [
                    "sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob", "sagemaker:StopProcessingJob",
                    "sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob",
                    "sagemaker:AddTags",
                ],
                list(jobs.values()),
                wildcards="Pipelines names its jobs pipelines-<execution id>-<step>-<suffix> at run time; the prefix is the "
                "narrowest name IAM can match",
            ),  # fmt: skip
            allow(
                "RegisterModel",
                ["sagemaker:CreateModelPackage", "sagemaker:DescribeModelPackage", "sagemaker:AddTags"],
                [package_group, packages],
                wildcards="SageMaker numbers model package versions (<group>/<version>) when a model is registered; only "
                "this pipeline's group",
            ),
            allow("ModelPackageGroup", ["sagemaker:DescribeModelPackageGroup"], [package_group]),
            allow(
                "PipelineExperiment",
                ["sagemaker:CreateExperiment", "sagemaker:DescribeExperiment", "sagemaker:AddTags"],
                pipeline_experiment,
            ),
            allow(
                "Trials",
                ["sagemaker:CreateTrial", "sagemaker:DescribeTrial", "sagemaker:AddTags"],
                environment_trials + analysis_trials,
            ),
            # IAM authorizes CreateTrial on the new trial and on the experiment it joins.
            allow("TrialsJoinTheExperiment", ["sagemaker:CreateTrial"], pipeline_experiment),
            allow(
                "AnalysisComponent",
                ["sagemaker:CreateTrialComponent", "sagemaker:UpdateTrialComponent", "sagemaker:AddTags"],
                analysis_components,
                wildcards="the convention's component name ends with a free-text step name ({trial}-{step}); the rest of the "
                "pattern is this use case, environment and a 12-character execution id",
            ),
            allow(
                "AssociateComponents",
                ["sagemaker:AssociateTrialComponent"],
                environment_trials + analysis_trials + analysis_components + job_components,
                wildcards="SageMaker names each job's trial component after the job (pipelines-...) at run time, and "
                "Pipelines associates them with trial 1.1; the analysis component as above",
            ),
            allow(
                "AnalysisMetrics",
                ["sagemaker:BatchPutMetrics"],
                analysis_components,
                wildcards="the evaluate step puts metrics on its analysis component, whose name ends with the step name "
                "({trial}-{step}); the rest of the pattern is this use case, environment and a 12-character execution id",
            ),
            allow(
                "PassToSageMakerJobs",
                ["iam:PassRole"],
                [self.role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            ),
            # The evaluate step records its run to the environment's MLflow server (stacks.tracking.permissions).
            *tracking_statements,
        ]
        self.policy = iam.Policy(self, "Policy", statements=[s.statement for s in statements], roles=[self.role])
        acknowledge_wildcards(self.policy, statements)


def _repository_arns(image_uris: Iterable[str]) -> Iterable[str]:
    for uri in image_uris:
        match = _ECR_IMAGE.match(uri)
        if match is None:
            raise ValueError(f"not an ECR image URI: {uri!r}")
        yield f"arn:{Aws.PARTITION}:ecr:{match['region']}:{match['account']}:repository/{match['repository']}"

