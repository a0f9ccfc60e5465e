"""What every mlmeta Lambda runs on, and where its public layers are resolved from (docs/deploying.md).

One Python for Lambda and the tests: the functions run ``python3.13`` and the test venv is Python 3.13
(the Makefile builds it from that interpreter; tests/infrastructure/test_lambda_runtime.py asserts that
the runtime's minor version is the interpreter's that ran the handler tests). AWS's Lambda runtimes page
gives python3.13 a deprecation date of 2029-06-30; python3.14 would need an interpreter this project's
machines do not have.

Layers are never pinned by a layer version number (those differ per region and cannot be checked
offline). AWS publishes each layer's ARN as a public SSM parameter; the stacks reference it as a
CloudFormation parameter of type ``AWS::SSM::Parameter::Value<String>``, which CloudFormation resolves
in the deploy's region at deploy time (no lookup at synth, no credentials):

- Powertools for AWS Lambda (Python): ``/aws/service/powertools/python/{arch}/python{X.Y}/{version}``,
  ``{version}`` the semantic version (Powertools' Lambda layer docs). The version is the one the test venv
  installs (pyproject.toml), so the tests and Lambda run the same Powertools.
- AWS SDK for pandas (the compactor's pyarrow): ``/aws/service/aws-sdk-pandas/{version}/py{X.Y}/{arch}/layer-arn``
  (AWS SDK for pandas' install docs, "Managed Layer").

``mlmeta doctor --env NAME`` resolves both parameters in the environment's region before the first deploy.
"""

from __future__ import annotations

# The Lambda runtime identifier is f"python{PYTHON_VERSION}".
PYTHON_VERSION = "3.13"
ARCHITECTURE = "arm64"
# Equal to the aws-lambda-powertools pin in pyproject.toml (a test compares it with the installed package).
POWERTOOLS_VERSION = "3.37.0"
# The AWS SDK for pandas release whose managed layer the compactor uses for pyarrow.
AWS_SDK_PANDAS_VERSION = "3.16.1"


def runtime_name() -> str:
    return f"python{PYTHON_VERSION}"


def powertools_layer_parameter(
    *, version: str = POWERTOOLS_VERSION, python: str = PYTHON_VERSION, architecture: str = ARCHITECTURE
) -> str:
    """The public SSM parameter whose value is the Powertools layer version ARN for this runtime."""
    return f"/aws/service/powertools/python/{architecture}/python{python}/{version}"


def aws_sdk_pandas_layer_parameter(
    *, version: str = AWS_SDK_PANDAS_VERSION, python: str = PYTHON_VERSION, architecture: str = ARCHITECTURE
) -> str:
    """The public SSM parameter whose value is the AWS SDK for pandas layer version ARN for this runtime."""
    return f"/aws/service/aws-sdk-pandas/{version}/py{python}/{architecture}/layer-arn"


# The AWS accounts that publish the layers in the commercial regions: what a resolved ARN must name.
POWERTOOLS_PUBLISHER_ACCOUNT = "017000801446"
AWS_SDK_PANDAS_PUBLISHER_ACCOUNT = "336392948345"
