"""Typed settings of one deployment environment.

Chosen once in ``app.py`` and passed down; constructs never read context or
environment variables themselves.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

from mlmeta_contract.resources import resource_name

NamingMode = Literal["audit", "enforce"]
# Which way a model metric gets worse: an auc falls, a log loss rises.
MetricDirection = Literal["higher-is-better", "lower-is-better"]

DEFAULT_REGION = "ap-northeast-1"

# The Lambda runtime and its public layers: mlmeta/config/lambda_runtime.py.


class SettingsError(ValueError):
    """A configuration mistake found at synth: reported as one line, not a traceback."""


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def notice_protocol(subscriber: str) -> Literal["email", "https"] | None:
    """The SNS protocol of a notice subscriber, or None if it is neither an e-mail address nor an https URL."""
    if _EMAIL.fullmatch(subscriber):
        return "email"
    if subscriber.startswith("https://") and len(subscriber) > len("https://"):
        return "https"
    return None


@dataclass(frozen=True)
class RetentionSettings:
    """How long each kind of data is kept, in days."""

    athena_results_days: int = 30
    access_logs_days: int = 365
    noncurrent_versions_days: int = 30
    log_retention_days: int = 90
    # Raw snapshots move to Infrequent Access after this many days (they are read rarely once old).
    raw_to_infrequent_access_days: int = 90


# CloudWatch's limits: metric names up to 255 characters; an alarm with a period of an hour or more
# may look back at most 7 days (period x evaluation periods).
CLOUDWATCH_NAME_LIMIT = 255
MAX_EVALUATION_HOURS = 7 * 24


@dataclass(frozen=True)
class MetricAlarmSettings:
    """A model metric the monitoring stack watches (docs/monitoring.md): a static-threshold alarm, an
    anomaly-detection alarm and a graph, on the snapshotter's CloudWatch metric of that name and step."""

    metric_name: str
    # The static threshold: a value on the wrong side of it (per ``direction``) alarms.
    threshold: float
    # The pipeline step that logs it: the ``step`` dimension (the evaluate step records as "evaluation").
    step: str = "evaluation"
    direction: MetricDirection = "higher-is-better"
    # Width of the anomaly band in standard deviations; None: no anomaly-detection alarm for this metric.
    anomaly_band: float | None = 2.0
    # Pipelines run daily or weekly: one period is a day, and missing data between runs is ignored.
    period_hours: int = 24
    evaluation_periods: int = 1
    datapoints_to_alarm: int = 1

    def __post_init__(self) -> None:
        where = f"monitored metric {self.metric_name!r}"
        if not self.metric_name or len(self.metric_name) > CLOUDWATCH_NAME_LIMIT:
            raise ValueError(f"{where}: a CloudWatch metric name has 1 to {CLOUDWATCH_NAME_LIMIT} characters")
        if not self.step:
            raise ValueError(f"{where}: step must name the pipeline step that logs the metric")
        if self.direction not in ("higher-is-better", "lower-is-better"):
            raise ValueError(f"{where}: direction must be higher-is-better or lower-is-better, not {self.direction!r}")
        if not math.isfinite(self.threshold):
            raise ValueError(f"{where}: threshold must be a finite number")
        if self.anomaly_band is not None and not (math.isfinite(self.anomaly_band) and self.anomaly_band > 0):
            raise ValueError(f"{where}: anomaly_band must be a positive number of standard deviations or None")
        if not 1 <= self.period_hours <= MAX_EVALUATION_HOURS:
            raise ValueError(f"{where}: period_hours must be 1 to {MAX_EVALUATION_HOURS}")
        if self.evaluation_periods < 1 or self.period_hours * self.evaluation_periods > MAX_EVALUATION_HOURS:
            raise ValueError(
                f"{where}: period_hours x evaluation_periods must be 1 to {MAX_EVALUATION_HOURS} hours (CloudWatch's limit)"
            )
        if not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise ValueError(f"{where}: datapoints_to_alarm must be 1 to evaluation_periods ({self.evaluation_periods})")


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
    # Metrics watched by drift alarms and shown on the environment's dashboard (docs/monitoring.md).
    monitored_metrics: tuple[MetricAlarmSettings, ...] = ()

    def __post_init__(self) -> None:
        seen = [(m.metric_name, m.step) for m in self.monitored_metrics]
        duplicates = sorted({f"{name} (step {step})" for name, step in seen if seen.count((name, step)) > 1})
        if duplicates:
            raise ValueError(f"use case {self.name}: metrics monitored twice: {', '.join(duplicates)}")


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
    # while some trail logs write management events in this account and region (docs/deploying.md).
    # create_trail: the events stack creates one; existing_trail: the name or ARN of a trail that already
    # does (an organisation trail, Control Tower's), which `mlmeta doctor` checks. Exactly one of the two.
    create_trail: bool = True
    existing_trail: str | None = None
    # Who gets the notices (naming violations, drift and failure alarms): e-mail addresses, and https://
    # endpoints of a chat webhook (Amazon Q Developer in chat applications, a Slack/Teams relay). E-mail
    # subscriptions must be confirmed from the first message SNS sends.
    notice_subscribers: tuple[str, ...] = ()
    # The daily compaction rechecks this many days before today (docs/compaction.md): a late snapshot
    # whose S3 event was lost is still picked up if it arrived within this many days of its day.
    compaction_lookback_days: int = 3

    def check_trail(self) -> None:
        """Fails synth with one line unless exactly one way of delivering CloudTrail's events is declared."""
        if self.create_trail and self.existing_trail:
            raise SettingsError(
                f"environment {self.name}: create_trail=True and existing_trail={self.existing_trail!r} both deliver "
                "CloudTrail's events (a second trail bills every management event again); keep one"
            )
        if not self.create_trail and not self.existing_trail:
            raise SettingsError(
                f"environment {self.name}: the naming guard needs a CloudTrail trail that logs write management events; "
                "set create_trail=True (the events stack creates one) or existing_trail='<name or ARN of your "
                "organisation trail>' (mlmeta doctor checks that it logs them)"
            )

    def check_notice_subscribers(self) -> None:
        """Fails synth with one line on a subscriber that is neither an e-mail address nor an https URL."""
        for subscriber in self.notice_subscribers:
            if notice_protocol(subscriber) is None:
                raise SettingsError(
                    f"environment {self.name}: notice subscriber {subscriber!r} is neither an e-mail address "
                    "(name@example.com) nor an https:// URL"
                )

    @property
    def glue_database_name(self) -> str:
        # Glue database names allow lowercase letters, digits and underscores only.
        return f"mlmeta_{self.name}".replace("-", "_")

    @property
    def athena_workgroup_name(self) -> str:
        return resource_name(self.name)

    def stack_name(self, component: str) -> str:
        return resource_name(self.name, component)
