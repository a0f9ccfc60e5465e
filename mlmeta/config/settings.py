"""Typed settings of one deployment environment.

Chosen once in ``app.py`` and passed down; constructs never read context or
environment variables themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

NamingMode = Literal["audit", "enforce"]

DEFAULT_REGION = "ap-northeast-1"

# Lambdas get Powertools for AWS Lambda (Python) from AWS's public layer
# arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-{python3NN}-arm64:{version}.
# Pinned to the layer version meant to package aws-lambda-powertools 3.37.0, the version pyproject.toml
# pins for the tests. NOT verified offline (no AWS access when this was written): before the first
# deploy, check that the layer's Description ends in 3.37.0 with
#   aws lambda get-layer-version-by-arn --region ap-northeast-1 --arn \
#     arn:aws:lambda:ap-northeast-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python314-arm64:<this>
# and change this number (and the pyproject pin) together.
POWERTOOLS_LAYER_VERSION = 42


@dataclass(frozen=True)
class RetentionSettings:
    """How long each kind of data is kept, in days."""

    athena_results_days: int = 30
    access_logs_days: int = 365
    noncurrent_versions_days: int = 30
    log_retention_days: int = 90
    # Raw snapshots move to Infrequent Access after this many days (they are read rarely once old).
    raw_to_infrequent_access_days: int = 90


@dataclass(frozen=True)
class UseCase:
    """One machine-learning use case: a pipeline, its experiments, its metrics."""

    name: str
    description: str = ""
    # Users who get an EDA experiment ``{usecase}-eda-{user}`` provisioned.
    eda_users: tuple[str, ...] = ()
    # EventBridge Scheduler expression (UTC) that starts the use case's pipeline, e.g.
    # "cron(0 18 ? * SUN *)"; None: the pipeline runs only when someone starts it.
    schedule: str | None = None


@dataclass(frozen=True)
class EnvironmentSettings:
    """Everything that differs between dev, stg and prod."""

    name: str
    use_cases: tuple[UseCase, ...]
    region: str = DEFAULT_REGION
    # None leaves the account unresolved: synth needs no credentials.
    account: str | None = None
    naming_mode: NamingMode = "audit"
    # Athena refuses any query that would scan more than this (per query, bytes).
    athena_bytes_scanned_cutoff: int = 10 * 1024**3
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    # Stateful resources survive stack deletion (RETAIN) and stacks get termination protection.
    retain_data: bool = False
    # EDA experiment names ({usecase}-eda-{user}) carry no environment, so one environment per account
    # and region provisions them: the one where data scientists explore (dev).
    hosts_eda_experiments: bool = False
    # IAM role names (in this environment's account) that get the naming guardrail policy attached.
    data_scientist_role_names: tuple[str, ...] = ()
    # EventBridge sees CloudTrail's "AWS API Call via CloudTrail" events (the naming guard's trigger) only
    # while some trail logs management events in this account and region. False: rely on an existing
    # trail (an organisation trail, Control Tower's); True: the events stack creates one (docs/events.md).
    create_trail: bool = False

    @property
    def glue_database_name(self) -> str:
        # Glue database names allow lowercase letters, digits and underscores only.
        return f"mlmeta_{self.name}".replace("-", "_")

    @property
    def athena_workgroup_name(self) -> str:
        return f"mlmeta-{self.name}"

    def stack_name(self, component: str) -> str:
        return f"mlmeta-{self.name}-{component}"
