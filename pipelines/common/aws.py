"""boto3 sessions for step code, including the SageMaker Metrics client on images whose botocore is old.

``BatchPutMetrics`` belongs to the ``sagemaker-metrics`` service, which botocore knows since 1.29
(Dec 2022). SageMaker's framework images pin their own boto3, and some pin older ones (the XGBoost
container's requirements have pinned botocore 1.20). So the bundle carries that service's model
(``botocore_data/``, copied from the botocore this project pins; a test keeps them equal) and, only
when the image's botocore lacks the service, points botocore's data path at it.
"""

from __future__ import annotations

import pkgutil
import tempfile
from pathlib import Path
from typing import Optional

import boto3
import botocore.session

METRICS_SERVICE = "sagemaker-metrics"
METRICS_API_VERSION = "2022-09-30"
BUNDLED_MODEL_FILES = ("service-2.json", "endpoint-rule-set-1.json")


def boto_session(region: str, botocore_session: Optional[botocore.session.Session] = None) -> boto3.Session:
    """A session in ``region`` that can create ``sagemaker`` and ``sagemaker-metrics`` clients."""
    core = botocore_session or botocore.session.get_session()
    if METRICS_SERVICE not in core.get_available_services():
        # The loader caches what it found, so the data path goes on a fresh session before its first use.
        core = botocore.session.get_session()
        core.set_config_variable("data_path", str(extract_bundled_models(Path(tempfile.mkdtemp(prefix="botocore-data-")))))
    return boto3.Session(botocore_session=core, region_name=region)


def extract_bundled_models(directory: Path) -> Path:
    """Write the bundled service model under ``directory`` as botocore lays out its data; returns it.

    Read with pkgutil because in a processing job this module runs from inside a zip file.
    """
    target = directory / METRICS_SERVICE / METRICS_API_VERSION
    target.mkdir(parents=True, exist_ok=True)
    for name in BUNDLED_MODEL_FILES:
        data = pkgutil.get_data(__package__, f"botocore_data/{METRICS_SERVICE}/{METRICS_API_VERSION}/{name}")
        if data is None:
            raise FileNotFoundError(f"the step bundle lacks botocore_data/{METRICS_SERVICE}/{METRICS_API_VERSION}/{name}")
        (target / name).write_bytes(data)
    return directory
