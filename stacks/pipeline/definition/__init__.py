"""Pipeline definitions built at synth time with the SageMaker Python SDK (v2), offline.

    spec = PipelineSpec(use_case="churn-prediction", env="dev", region="ap-northeast-1", ...)
    body = build_definition(spec)   # the JSON CloudFormation puts in AWS::SageMaker::Pipeline

Importing this package imports the SDK (~1.5 s); the CLI and the Lambdas never do. See docs/pipelines.md.
"""

from stacks.pipeline.definition.binary_classification import PARAMETERS, build_definition, environment_trial_name
from stacks.pipeline.definition.spec import EXECUTIONS_PREFIX, INPUT_PREFIX, PipelineSpec

__all__ = ["EXECUTIONS_PREFIX", "INPUT_PREFIX", "PARAMETERS", "PipelineSpec", "build_definition", "environment_trial_name"]
