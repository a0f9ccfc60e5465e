"""The SageMaker Python SDK (v2, pinned in pyproject.toml) set up to build definitions offline.

Building a definition sends nothing anywhere, but the SDK would, left to itself:

- credentials: ``import sagemaker`` creates a JumpStart session and ``Estimator()`` a TensorBoard
  client from boto3's default credential chain, which ends at the EC2 instance metadata endpoint
  (and an SSO or container profile may call out too). While the SDK is imported and while a
  definition is built, the environment holds placeholder credentials, no profile and
  ``AWS_EC2_METADATA_DISABLED``, so the chain stops at the environment; the caller's environment is
  restored afterwards. Nothing is ever signed with the placeholders, because nothing is sent (a
  test fails on any socket use);
- telemetry: every decorated call (``Estimator.fit``, ``Pipeline.definition``, ...) sends a GET to an
  S3 telemetry endpoint unless its *config* says ``TelemetryOptOut`` (v2 reads no environment variable
  for it). A non-empty SDK config is re-validated against its JSON schema at each of the ~70 look-ups
  of one build (measured: +5 s per pipeline), so instead the session's config stays empty and the
  sender is switched off for the duration of the build;
- SDK config files: ``/etc/xdg/sagemaker/config.yaml``, ``~/.config/sagemaker/config.yaml`` or an
  ``s3://`` location in ``SAGEMAKER_*_CONFIG_OVERRIDE`` could inject defaults (VPCs, tags, keys) into
  the template, differently on each machine: the session is given a config, so none is read;
- ``Session.default_bucket()`` calls STS and S3: the builder names every S3 location itself.

Import this module before ``sagemaker``, and import SDK modules inside ``with sdk_imports():``: it
silences the v2 deprecation banner and the config loader's INFO lines, which act at import time,
and undoes the SDK's ``logging.basicConfig`` (see root_logger_preserved).
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from collections.abc import Iterator
from typing import Any

import boto3

# Placeholder credentials: they stop the provider chain; a test proves nothing is signed with them.
PLACEHOLDER_ACCESS_KEY = "SYNTH-TIME-NO-CALLS"
PLACEHOLDER_SECRET_KEY = "synth-time-no-calls"
_OFFLINE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": PLACEHOLDER_ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": PLACEHOLDER_SECRET_KEY,
    "AWS_EC2_METADATA_DISABLED": "true",
}
# A profile takes precedence over environment credentials in botocore's chain; a token would be sent
# with the placeholder key.
_UNSET = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN")


@contextlib.contextmanager
def offline_credentials() -> Iterator[None]:
    """Placeholder credentials in the environment for the duration of the block; the caller's after."""
    saved = {name: os.environ.get(name) for name in (*_OFFLINE_ENVIRONMENT, *_UNSET)}
    os.environ.update(_OFFLINE_ENVIRONMENT)
    for name in _UNSET:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def root_logger_preserved() -> Iterator[None]:
    """Undo what the SDK does to the root logger: some of its modules call logging.basicConfig(level=INFO)
    when imported, which would turn on every library's INFO logging in the CDK app's process."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        yield
    finally:
        root.setLevel(level)
        root.handlers[:] = handlers


@contextlib.contextmanager
def sdk_imports() -> Iterator[None]:
    """Wrap every ``import sagemaker...`` in this: SDK modules create sessions and configure logging
    when first imported, and which import is first depends on the importer."""
    with offline_credentials(), root_logger_preserved():
        yield


os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
logging.getLogger("sagemaker.config").setLevel(logging.WARNING)
with sdk_imports():
    import sagemaker
    import sagemaker.telemetry.telemetry_logging as _telemetry
    from sagemaker.workflow.pipeline_context import PipelineSession

SDK_VERSION = sagemaker.__version__
# A config is given so that no config file is read; SchemaVersion is the one key the schema requires.
HERMETIC_CONFIG: dict[str, Any] = {"SchemaVersion": "1.0"}


def _no_telemetry(*_args: Any, **_kwargs: Any) -> None:
    """Stands in for the SDK's telemetry sender while a definition is built."""


@contextlib.contextmanager
def offline_session(region: str) -> Iterator[PipelineSession]:
    """A PipelineSession in ``region`` that reads no config file, resolves no credentials and sends nothing.

    Within the block the SDK's telemetry sender is a no-op and its INFO/WARNING chatter ("Popping out
    'ProcessingJobName'...", "Running within a PipelineSession...") is not logged.
    """
    sdk_logger = logging.getLogger("sagemaker")
    previous_level, sender = sdk_logger.level, _telemetry._send_telemetry_request
    _telemetry._send_telemetry_request = _no_telemetry
    sdk_logger.setLevel(logging.ERROR)
    try:
        with offline_credentials(), root_logger_preserved(), warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module=r"sagemaker\.")
            boto_session = boto3.Session(
                region_name=region, aws_access_key_id=PLACEHOLDER_ACCESS_KEY, aws_secret_access_key=PLACEHOLDER_SECRET_KEY
            )
            session = PipelineSession(boto_session=boto_session, sagemaker_config=dict(HERMETIC_CONFIG))
            # Validated once above; empty from here on, so the SDK's look-ups skip the schema check.
            session.sagemaker_config = {}
            yield session
    finally:
        _telemetry._send_telemetry_request = sender
        sdk_logger.setLevel(previous_level)
