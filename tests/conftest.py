"""Process-wide test settings. Set before any test module imports aws_cdk."""

import os

# CDK's built-in CloudFormation validation costs ~2 s per synth; `make synth` runs it, the tests rely
# on cfn-lint instead. cdk-nag (a validation plugin too) still runs with this set.
os.environ.setdefault("CDK_VALIDATION", "false")
os.environ.setdefault("CDK_DISABLE_CLI_TELEMETRY", "true")
# The machines run Node 20 (pinned by the platform); jsii's end-of-life banner would bury test output.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
