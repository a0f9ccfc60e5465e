"""The tracking settings (docs/infrastructure.md, "MLflow"): each invalid combination fails synth with one
line naming the bad value and what to do, before any construct exists; the valid ones pass."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from mlmeta.config import ENVIRONMENTS, get_environment
from mlmeta.config.settings import MlflowSettings, SettingsError
from stacks.mlmeta_app import build, create_app

APP_ARN = "arn:aws:sagemaker:ap-northeast-1:123456789012:mlflow-app/app-4xmpl3ab12cd"
SERVER_ARN = "arn:aws:sagemaker:ap-northeast-1:123456789012:mlflow-tracking-server/team-mlflow"


def mlflow_env(mlflow: MlflowSettings | None, backend: str = "mlflow"):
    return replace(get_environment("prod"), tracking_backend=backend, mlflow=mlflow)


@pytest.mark.parametrize(
    ("backend", "mlflow", "message"),
    [
        ("sagemaker", MlflowSettings(provision="app"),
         r"^environment prod: mlflow is set but tracking_backend is 'sagemaker', so nothing would record to it; set tracking_backend='mlflow'"),
        ("mlflow", None, r"^environment prod: tracking_backend='mlflow' needs mlflow=MlflowSettings\(provision='app'\)"),
        ("wandb", None, r"^environment prod: tracking_backend='wandb' is neither 'sagemaker' nor 'mlflow'$"),
        ("mlflow", MlflowSettings(),
         r"^environment prod: mlflow names no server: set provision='app' \(serverless MLflow App\), provision='tracking-server', or existing="),
        ("mlflow", MlflowSettings(provision="app", existing=APP_ARN),
         rf"^environment prod: mlflow has provision='app' and existing='{re.escape(APP_ARN)}': keep one"),
        ("mlflow", MlflowSettings(provision="notebook"), r"^environment prod: mlflow: provision='notebook' is neither 'app' nor 'tracking-server'$"),
        ("mlflow", MlflowSettings(provision="app", tracking_server_size="Large"),
         r"^environment prod: mlflow: tracking_server_size='Large' sizes a tracking server only; with provision='app' remove it$"),
        ("mlflow", MlflowSettings(provision="tracking-server", tracking_server_size="XL"),
         r"^environment prod: mlflow: tracking_server_size='XL' is not one of Small, Medium, Large$"),
        ("mlflow", MlflowSettings(existing="http://mlflow.internal:5000"),
         r"^environment prod: mlflow: existing='http://mlflow.internal:5000' is neither an MLflow App ARN .* nor an https:// URL$"),
        ("mlflow", MlflowSettings(existing="arn:aws:sagemaker:ap-northeast-1:123456789012:experiment/x"),
         r"^environment prod: mlflow: existing='arn:aws:sagemaker:.*:experiment/x' is neither an MLflow App ARN"),
        ("mlflow", MlflowSettings(existing=APP_ARN, weekly_maintenance_window_start="Tue:03:30"),
         r"^environment prod: mlflow: weekly_maintenance_window_start applies to a server this stack provisions, not to existing="),
        ("mlflow", MlflowSettings(provision="app", weekly_maintenance_window_start="Tuesday 3am"),
         r"^environment prod: mlflow: weekly_maintenance_window_start='Tuesday 3am' is not Ddd:HH:MM in UTC"),
    ],
    ids=["mlflow-without-backend", "backend-without-mlflow", "unknown-backend", "no-server", "two-servers", "unknown-provision",
         "size-of-an-app", "unknown-size", "plain-http", "not-an-mlflow-arn", "window-of-existing", "bad-window"],
)  # fmt: skip
def test_each_invalid_combination_is_one_line_naming_the_value(backend, mlflow, message):
    with pytest.raises(SettingsError, match=message) as raised:
        mlflow_env(mlflow, backend).check_tracking()
    assert "\n" not in str(raised.value)


def test_the_synth_fails_on_it_before_any_stack_exists(tmp_path):
    app = create_app(outdir=str(tmp_path))
    with pytest.raises(SettingsError, match="names no server"):
        build(app, mlflow_env(MlflowSettings()), [])
    assert list(app.node.children) == []


@pytest.mark.parametrize(
    ("mlflow", "provisions", "kind"),
    [
        (MlflowSettings(provision="app"), True, None),
        (MlflowSettings(provision="tracking-server", tracking_server_size="Medium"), True, None),
        (MlflowSettings(existing=APP_ARN), False, "mlflow-app"),
        (MlflowSettings(existing=SERVER_ARN), False, "mlflow-tracking-server"),
        (MlflowSettings(existing="https://mlflow.example.com"), False, "url"),
    ],
)
def test_valid_combinations_pass_and_say_what_they_provision(mlflow, provisions, kind):
    settings = mlflow_env(mlflow)
    settings.check_tracking()
    assert settings.provisions_mlflow is provisions
    assert mlflow.existing_kind == kind


def test_a_tracking_server_is_small_unless_sized():
    assert MlflowSettings(provision="tracking-server").server_size == "Small"
    assert MlflowSettings(provision="tracking-server", tracking_server_size="Large").server_size == "Large"


def test_embedded_environments_exercise_both_backends():
    backends = {name: (settings.tracking_backend, settings.provisions_mlflow) for name, settings in ENVIRONMENTS.items()}
    # dev stays on SageMaker: the local demo and the dev rehearsal run on moto, which has no MLflow.
    assert backends == {"dev": ("sagemaker", False), "stg": ("mlflow", True), "prod": ("sagemaker", False)}
    for settings in ENVIRONMENTS.values():
        settings.check_tracking()
