"""The sagemaker-metrics model bundled for images with an old botocore, and the session that uses it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import botocore
import botocore.session
import pytest

from pipelines.common import aws

BUNDLED = Path(aws.__file__).parent / "botocore_data" / aws.METRICS_SERVICE / aws.METRICS_API_VERSION
INSTALLED = Path(botocore.__file__).parent / "data" / aws.METRICS_SERVICE / aws.METRICS_API_VERSION


@pytest.mark.parametrize("name", aws.BUNDLED_MODEL_FILES)
def test_bundled_model_is_the_pinned_botocores(name):
    # When botocore is upgraded and this fails, refresh the copy: gunzip -c <installed>.json.gz > <bundled>.json
    installed = json.loads(gzip.decompress((INSTALLED / f"{name}.gz").read_bytes()))
    assert json.loads((BUNDLED / name).read_text()) == installed


def test_bundled_model_defines_batch_put_metrics():
    model = json.loads((BUNDLED / "service-2.json").read_text())
    assert model["metadata"]["endpointPrefix"] == "metrics.sagemaker"
    assert "BatchPutMetrics" in model["operations"]


class BotocoreWithoutMetrics:
    """A botocore session as on an image whose botocore predates sagemaker-metrics."""

    def get_available_services(self):
        return ["s3", "sagemaker"]


def test_session_points_botocore_at_the_bundled_model_when_the_image_lacks_it(aws_env):
    session = aws.boto_session("ap-northeast-1", botocore_session=BotocoreWithoutMetrics())
    search_paths = session._session.get_component("data_loader").search_paths
    extra = [Path(p) for p in search_paths if Path(p, aws.METRICS_SERVICE).is_dir() and "botocore-data-" in p]
    assert len(extra) == 1
    assert (extra[0] / aws.METRICS_SERVICE / aws.METRICS_API_VERSION / "service-2.json").read_bytes() == (
        BUNDLED / "service-2.json"
    ).read_bytes()
    client = session.client("sagemaker-metrics")
    assert client.meta.service_model.operation_model("BatchPutMetrics").name == "BatchPutMetrics"
    assert client.meta.region_name == "ap-northeast-1"


def test_session_leaves_a_botocore_that_knows_the_service_alone(aws_env):
    core = botocore.session.get_session()
    assert aws.boto_session("ap-northeast-1", botocore_session=core)._session is core
