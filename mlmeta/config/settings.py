"""Typed settings of one deployment environment.

Chosen once in ``app.py`` and passed down; constructs never read context or
environment variables themselves.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

from mlmeta_contract.naming import DEFAULT_CONVENTION, NamingConvention
from mlmeta_contract.resources import resource_name

NamingMode = Literal["audit", "enforce"]
# Where the evaluate step, mlmeta.track and the handlers record runs (docs/infrastructure.md, "MLflow").
TrackingBackend = Literal["sagemaker", "mlflow"]
TRACKING_BACKENDS = ("sagemaker", "mlflow")
# What the tracking stack provisions: a serverless MLflow App, or a tracking server of a fixed size.
MlflowProvision = Literal["app", "tracking-server"]
MLFLOW_PROVISIONS = ("app", "tracking-server")
TrackingServerSize = Literal["Small", "Medium", "Large"]
TRACKING_SERVER_SIZES = ("Small", "Medium", "Large")
DEFAULT_TRACKING_SERVER_SIZE = "Small"
# Which way a model metric gets worse: an auc falls, a log loss rises.
MetricDirection = Literal["higher-is-better", "lower-is-better"]

DEFAULT_REGION = "ap-northeast-1"

# The Lambda runtime and its public layers: mlmeta/config/lambda_runtime.py.


class SettingsError(ValueError):
    """A configuration mistake found at synth: reported as one line, not a traceback."""


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# The ARN shapes of CloudFormation's schemas (AWS::SageMaker::MlflowApp, ::MlflowTrackingServer).
_MLFLOW_APP_ARN = re.compile(r"arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:mlflow-app/[A-Za-z0-9-]+")
_TRACKING_SERVER_ARN = re.compile(r"arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:mlflow-tracking-server/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}")
_HTTPS_URL = re.compile(r"https://[^\s/?#]+(/[^\s]*)?")
_MAINTENANCE_WINDOW = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01]\d|2[0-3]):([0-5]\d)")
MlflowTargetKind = Literal["mlflow-app", "mlflow-tracking-server", "url"]


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
class MlflowSettings:
    """Where runs go when ``tracking_backend`` is ``"mlflow"``: exactly one of ``provision`` and ``existing``.

    ``MlflowSettings(provision="app")``: the tracking stack provisions a serverless MLflow App;
    ``MlflowSettings(provision="tracking-server", tracking_server_size="Medium")``: a tracking server;
    ``MlflowSettings(existing="arn:aws:sagemaker:...:mlflow-app/app-...")`` (or a tracking server's ARN,
    or the https:// URL of a self-hosted server): one that already exists, nothing provisioned."""

    provision: MlflowProvision | None = None
    # Only with provision="tracking-server" (the serverless App sizes itself); None there means "Small".
    tracking_server_size: TrackingServerSize | None = None
    existing: str | None = None
    # When SageMaker may patch what this stack provisions, "Tue:03:30" (UTC); None leaves it to SageMaker.
    weekly_maintenance_window_start: str | None = None

    def check(self, environment: str) -> None:
        """Fails synth with one line on a combination that provisions nothing, two things, or something unusable."""
        where = f"environment {environment}: mlflow"
        if self.provision is not None and self.existing is not None:
            raise SettingsError(
                f"{where} has provision={self.provision!r} and existing={self.existing!r}: keep one (provision creates a "
                "server, existing points at one)"
            )
        if self.provision is None and self.existing is None:
            raise SettingsError(
                f"{where} names no server: set provision='app' (serverless MLflow App), provision='tracking-server', "
                "or existing='<MLflow App or tracking server ARN, or https:// URL>'"
            )
        if self.provision is not None and self.provision not in MLFLOW_PROVISIONS:
            raise SettingsError(f"{where}: provision={self.provision!r} is neither 'app' nor 'tracking-server'")
        if self.tracking_server_size is not None and self.provision != "tracking-server":
            raise SettingsError(
                f"{where}: tracking_server_size={self.tracking_server_size!r} sizes a tracking server only; "
                f"with provision={self.provision!r} remove it"
            )
        if self.tracking_server_size is not None and self.tracking_server_size not in TRACKING_SERVER_SIZES:
            raise SettingsError(
                f"{where}: tracking_server_size={self.tracking_server_size!r} is not one of {', '.join(TRACKING_SERVER_SIZES)}"
            )
        if self.existing is not None and self.existing_kind is None:
            raise SettingsError(
                f"{where}: existing={self.existing!r} is neither an MLflow App ARN (arn:aws:sagemaker:REGION:ACCOUNT:"
                "mlflow-app/ID), a tracking server ARN (...:mlflow-tracking-server/NAME) nor an https:// URL"
            )
        if self.weekly_maintenance_window_start is not None:
            if self.existing is not None:
                raise SettingsError(
                    f"{where}: weekly_maintenance_window_start applies to a server this stack provisions, not to existing={self.existing!r}"
                )
            if not _MAINTENANCE_WINDOW.fullmatch(self.weekly_maintenance_window_start):
                raise SettingsError(
                    f"{where}: weekly_maintenance_window_start={self.weekly_maintenance_window_start!r} is not Ddd:HH:MM "
                    "in UTC (e.g. 'Tue:03:30')"
                )

    @property
    def existing_kind(self) -> MlflowTargetKind | None:
        """What ``existing`` points at, or None when it is unset or of no known shape."""
        if self.existing is None:
            return None
        if _MLFLOW_APP_ARN.fullmatch(self.existing):
            return "mlflow-app"
        if _TRACKING_SERVER_ARN.fullmatch(self.existing):
            return "mlflow-tracking-server"
        if _HTTPS_URL.fullmatch(self.existing):
            return "url"
        return None

    @property
    def server_size(self) -> TrackingServerSize:
        return self.tracking_server_size or DEFAULT_TRACKING_SERVER_SIZE


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
    # Where runs are recorded: SageMaker Experiments (the default) or MLflow, configured by ``mlflow``
    # (docs/infrastructure.md, "MLflow"). MLflow needs mlflow=MlflowSettings(...); sagemaker none.
    tracking_backend: TrackingBackend = "sagemaker"
    mlflow: MlflowSettings | None = None
    # The naming convention this environment's names follow (docs/naming.md): the stacks check every name by
    # it at synth and hand it to the handlers and the evaluate step. An organisation's own: load_convention(path).
    convention: NamingConvention = DEFAULT_CONVENTION

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

    def check_tracking(self) -> None:
        """Fails synth with one line unless the backend and its MLflow settings go together."""
        if self.tracking_backend not in TRACKING_BACKENDS:
            raise SettingsError(f"environment {self.name}: tracking_backend={self.tracking_backend!r} is neither 'sagemaker' nor 'mlflow'")
        if self.tracking_backend == "sagemaker" and self.mlflow is not None:
            raise SettingsError(
                f"environment {self.name}: mlflow is set but tracking_backend is 'sagemaker', so nothing would record "
                "to it; set tracking_backend='mlflow' or remove mlflow"
            )
        if self.tracking_backend == "mlflow":
            if self.mlflow is None:
                raise SettingsError(
                    f"environment {self.name}: tracking_backend='mlflow' needs mlflow=MlflowSettings(provision='app'), "
                    "provision='tracking-server', or existing='<ARN or https:// URL>'"
                )
            self.mlflow.check(self.name)

    @property
    def provisions_mlflow(self) -> bool:
        """Whether this environment's tracking stack creates an MLflow App or tracking server."""
        return self.tracking_backend == "mlflow" and self.mlflow is not None and self.mlflow.provision is not None

    @property
    def mlflow_server_name(self) -> str:
        # The MLflow App's or tracking server's name: letters, digits and hyphens (CloudFormation's pattern).
        return f"mlmeta-{self.name}"

    @property
    def glue_database_name(self) -> str:
        # Glue database names allow lowercase letters, digits and underscores only.
        return f"mlmeta_{self.name}".replace("-", "_")

    @property
    def athena_workgroup_name(self) -> str:
        return resource_name(self.name)

    def stack_name(self, component: str) -> str:
        return resource_name(self.name, component)
