"""The embedded environments: what ``make synth`` and the demo use out of the box.

An organisation edits this file (or adds its own) to describe its accounts.
"""

from __future__ import annotations

from dataclasses import replace

from mlmeta.config.settings import EnvironmentSettings, MetricAlarmSettings, MlflowSettings, RetentionSettings, UseCase

EXAMPLE_USE_CASE = UseCase(
    name="churn-prediction",
    description="Tabular binary classification: will a customer cancel in the next 30 days?",
    eda_users=("ikazaki",),
    # The evaluate step's ROC AUC and F1 (docs/pipelines.md). auc alarms below 0.8, an early warning above
    # the pipeline's registration gate (MinimumRocAuc 0.7); f1 below 0.6. Precision and recall are on the
    # dashboard but not alarmed: they trade off against each other, and f1 already summarises both.
    monitored_metrics=(
        MetricAlarmSettings(metric_name="auc", threshold=0.8),
        MetricAlarmSettings(metric_name="f1", threshold=0.6),
    ),
)

GIB = 1024**3
# Production retrains weekly, Monday 03:00 in Tokyo (Sunday 18:00 UTC), with the pipeline's default
# parameters; dev and stg run when someone starts them.
WEEKLY_SCHEDULE = "cron(0 18 ? * SUN *)"

# Tracking backends (docs/infrastructure.md, "MLflow"): stg records to a serverless MLflow App its tracking
# stack provisions, dev and prod to SageMaker Experiments, so every synth builds both paths. Not dev: the
# local demo and `make rehearse ENV=dev` run on moto, which has no MLflow (no API, no CloudFormation
# model), so everything referring to the App's ARN (snapshotter, reconciler, their rules) would be left out.

# The environment of a command given none (mlmeta plot, replay, rehearse, query, the analytics, app.py):
# the one the local demo and the rehearsal deploy.
DEFAULT_ENVIRONMENT = "dev"

ENVIRONMENTS: dict[str, EnvironmentSettings] = {
    "dev": EnvironmentSettings(
        name="dev",
        use_cases=(EXAMPLE_USE_CASE,),
        naming_mode="audit",
        athena_bytes_scanned_cutoff=1 * GIB,
        retention=RetentionSettings(athena_results_days=7, access_logs_days=90, log_retention_days=30),
        retain_data=False,
        hosts_eda_experiments=True,
    ),
    "stg": EnvironmentSettings(
        name="stg",
        use_cases=(EXAMPLE_USE_CASE,),
        naming_mode="enforce",
        athena_bytes_scanned_cutoff=5 * GIB,
        retention=RetentionSettings(athena_results_days=14, access_logs_days=180, log_retention_days=90),
        retain_data=True,
        tracking_backend="mlflow",
        mlflow=MlflowSettings(provision="app", weekly_maintenance_window_start="Tue:18:30"),
    ),
    "prod": EnvironmentSettings(
        name="prod",
        use_cases=(replace(EXAMPLE_USE_CASE, schedule=WEEKLY_SCHEDULE),),
        naming_mode="enforce",
        athena_bytes_scanned_cutoff=20 * GIB,
        retention=RetentionSettings(athena_results_days=30, access_logs_days=365, log_retention_days=365),
        retain_data=True,
    ),
}
