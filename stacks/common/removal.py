"""What ``EnvironmentSettings.retain_data`` means for a resource that holds data or logs."""

from __future__ import annotations

from aws_cdk import RemovalPolicy

from mlmeta.config import EnvironmentSettings


def removal_policy(settings: EnvironmentSettings) -> RemovalPolicy:
    """RETAIN in an environment that keeps its data when a stack is deleted (``retain_data``), else DESTROY."""
    return RemovalPolicy.RETAIN if settings.retain_data else RemovalPolicy.DESTROY
