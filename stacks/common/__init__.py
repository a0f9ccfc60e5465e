"""What several of the stacks' components share: the Lambda function and its code asset, the alarmed
queue, IAM statements and their cdk-nag acknowledgements, retry settings, the synth-time name check, the
removal policy of retained data."""
