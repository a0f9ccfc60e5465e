"""Everything a pipeline definition depends on, as one typed value built by the stack.

Strings may hold CloudFormation ``${...}`` references (the stack substitutes them with ``Fn::Sub``),
so the definition is built once per synth with no CDK tokens inside the SDK.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from mlmeta_contract.naming import DEFAULT_CONVENTION, NamingConvention

# SageMaker's built-in XGBoost image trains and evaluates (evaluate needs xgboost to load the model);
# the scikit-learn image preprocesses. Both resolved per region with sagemaker.image_uris.
XGBOOST_VERSION = "1.7-1"
SKLEARN_VERSION = "1.2-1"
DEFAULT_INSTANCE_TYPE = "ml.m5.large"

# Layout of the artifacts bucket: inputs people upload, and one prefix per execution for its outputs.
INPUT_PREFIX = "input"
EXECUTIONS_PREFIX = "executions"

_S3_URI = re.compile(r"s3://[^/\s]+(/[^\s]*)?")
_STEP_PACKAGE = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class PipelineSpec:
    use_case: str
    env: str
    region: str
    # Names, already checked against the convention by the stack (stacks/common/compliant_names.py).
    pipeline_name: str
    experiment_name: str
    model_package_group_name: str
    role_arn: str
    # s3://bucket or s3://bucket/prefix, no trailing slash: inputs and per-execution outputs live below it.
    artifacts_uri: str
    # The step bundle (a zip Python runs, see pipelines/__main__.py) and the use case's package in it.
    code_uri: str
    step_package: str
    # Passed to the evaluate step, so trial 1.2 is named by the same convention the stack checked.
    convention: NamingConvention = DEFAULT_CONVENTION
    # The evaluate step's tracking variables (MLMETA_TRACKING_BACKEND, MLMETA_MLFLOW_TRACKING_URI); a value
    # may be a ${Name} reference the stack fills in (a provisioned MLflow server's ARN). Empty: SageMaker.
    tracking_environment: Mapping[str, str] = field(default_factory=dict)
    instance_type: str = DEFAULT_INSTANCE_TYPE
    xgboost_version: str = XGBOOST_VERSION
    sklearn_version: str = SKLEARN_VERSION

    def __post_init__(self) -> None:
        if not _S3_URI.fullmatch(self.artifacts_uri) or self.artifacts_uri.endswith("/"):
            raise ValueError(f"artifacts_uri must be s3://bucket[/prefix] without a trailing '/', got {self.artifacts_uri!r}")
        if not _S3_URI.fullmatch(self.code_uri) or not self.code_uri.endswith(".zip"):
            raise ValueError(f"code_uri must be the s3:// URI of the step bundle (.zip), got {self.code_uri!r}")
        if not _STEP_PACKAGE.fullmatch(self.step_package):
            raise ValueError(f"step_package must be a Python package name under pipelines/, got {self.step_package!r}")
        if "/" not in self.role_arn:
            # The SDK asks IAM for the ARN of a bare role name: a network call at synth.
            raise ValueError(f"role_arn must be a role ARN, got {self.role_arn!r}")

    @property
    def input_uri(self) -> str:
        return f"{self.artifacts_uri}/{INPUT_PREFIX}"

    @property
    def executions_uri(self) -> str:
        return f"{self.artifacts_uri}/{EXECUTIONS_PREFIX}"
