"""Constructs of the experiments stack: experiment specs from config, the custom-resource provider, one
custom resource per experiment, and the naming guardrail policy."""
