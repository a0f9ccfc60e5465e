"""Fixtures of the pipeline step tests: moto in place of SageMaker and S3, small generated data sets."""

from __future__ import annotations

import pytest
from step_fixtures import EXPERIMENT, REGION


@pytest.fixture
def aws_env(monkeypatch):
    """Dummy credentials and a region, so boto3 never looks for real ones."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("MLMETA_NAMING_CONVENTION", raising=False)


@pytest.fixture
def sagemaker_moto(aws_env):
    """moto's SageMaker with the pipeline experiment in place, as the experiments stack provisions it."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        sagemaker.create_experiment(ExperimentName=EXPERIMENT)
        yield sagemaker
