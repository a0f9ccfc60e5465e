"""Typed settings of one deployment environment.

Chosen once in ``app.py`` and passed down; constructs never read context or
environment variables themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

NamingMode = Literal["audit", "enforce"]

DEFAULT_REGION = "ap-northeast-1"


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

    @property
    def glue_database_name(self) -> str:
        # Glue database names allow lowercase letters, digits and underscores only.
        return f"mlmeta_{self.name}".replace("-", "_")

    @property
    def athena_workgroup_name(self) -> str:
        return f"mlmeta-{self.name}"

    def stack_name(self, component: str) -> str:
        return f"mlmeta-{self.name}-{component}"
