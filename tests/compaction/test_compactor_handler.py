"""The compactor Lambda (lambdas/compactor) against moto's S3 and Glue: the schedule compacts and writes
the ranges into the Glue views, a rerun writes nothing, an S3 event recompacts a late snapshot's day,
S3's conditional writes guard concurrent runs, and bad events or corrupt objects fail loudly."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from mlmeta.lake.compaction_state import CompactionState
from mlmeta.lake.object_store import PreconditionFailed
from mlmeta.lake.parquet import decode_parquet
from mlmeta.lake.views import decode_presto_view, glue_view_input, view_sql
from mlmeta_contract.lake.layout import COMPACTION_STATE_KEY, compacted_key, object_key
from mlmeta_contract.lake.records import encode_records
from mlmeta_contract.lake.schema import METRIC_SNAPSHOTS, TABLES

REGION = "ap-northeast-1"
BUCKET = "mlmeta-dev-lake"
DATABASE = "mlmeta_dev"
ALL_DAYS = (("2026-01-05", "2026-01-16"),)


def scheduled(time: str) -> dict:
    return {"source": "aws.events", "detail-type": "Scheduled Event", "time": time, "detail": {}}


def object_created(key: str, bucket: str = BUCKET, time: str = "2026-02-01T10:00:00Z") -> dict:
    detail = {"bucket": {"name": bucket}, "object": {"key": key, "size": 10}}
    return {"source": "aws.s3", "detail-type": "Object Created", "time": time, "detail": detail}


class Context:
    def get_remaining_time_in_millis(self) -> int:
        return 900_000


@pytest.fixture
def aws(monkeypatch, raw_lake: Path):
    """moto with the lake bucket (holding the fixture lake's raw objects), the Glue database and the
    three views as the lake stack deploys them; the compactor imported against it."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
        "LAKE_BUCKET": BUCKET, "GLUE_DATABASE": DATABASE, "LOOKBACK_DAYS": "3",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        for path in sorted(raw_lake.rglob("*.json.gz")):
            s3.put_object(Bucket=BUCKET, Key=path.relative_to(raw_lake).as_posix(), Body=path.read_bytes())
        glue = boto3.client("glue", region_name=REGION)
        glue.create_database(DatabaseInput={"Name": DATABASE})
        for table in TABLES:
            glue.create_table(DatabaseName=DATABASE, TableInput=glue_view_input(table, DATABASE, ()))
        for module in [m for m in sys.modules if m == "compactor" or m.startswith("compactor.")]:
            del sys.modules[module]
        handler = importlib.import_module("compactor.handler")
        puts: list[str] = []
        handler.STORE.client.meta.events.register("provide-client-params.s3.PutObject", lambda params, **_: puts.append(params["Key"]))
        yield handler, s3, glue, puts


def view_of(glue, name: str) -> str:
    return decode_presto_view(glue.get_table(DatabaseName=DATABASE, Name=name)["Table"]["ViewOriginalText"])["originalSql"]


def test_the_schedule_backfills_every_day_and_writes_the_ranges_into_the_views(aws):
    handler, s3, glue, puts = aws

    summary = handler.lambda_handler(scheduled("2026-01-20T01:30:00Z"), Context())

    assert summary["trigger"] == "schedule" and summary["failures"] == []
    assert sorted(summary["views_updated"]) == sorted(t.name for t in TABLES)
    state = CompactionState.decode(s3.get_object(Bucket=BUCKET, Key=COMPACTION_STATE_KEY)["Body"].read())
    assert state.ranges("metric_snapshots") == state.ranges("component_snapshots") == ALL_DAYS
    for table in TABLES:
        assert state.ranges(table.name) and view_of(glue, table.name) == view_sql(table, state.ranges(table.name))
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix="compacted/")["Contents"]}
    assert compacted_key(METRIC_SNAPSHOTS, "2026-01-05") in keys and len(keys) == summary["outcomes"]["written"]
    assert puts[-1] == COMPACTION_STATE_KEY


def test_a_rerun_writes_nothing_to_s3_or_glue(aws):
    handler, _s3, _glue, puts = aws
    handler.lambda_handler(scheduled("2026-01-20T01:30:00Z"), Context())
    puts.clear()

    summary = handler.lambda_handler(scheduled("2026-01-20T01:30:00Z"), Context())

    assert puts == [] and summary["views_updated"] == [] and not summary["state_written"]
    assert set(summary["outcomes"]) <= {"unchanged", "no-raw-objects"}


def test_an_object_created_event_recompacts_a_compacted_day_with_the_late_snapshot(aws, history):
    handler, s3, _glue, puts = aws
    handler.lambda_handler(scheduled("2026-01-20T01:30:00Z"), Context())
    late = [dict(row, pipeline_execution_id="late00000001") for row in history.metric_snapshots[:9]]
    key = object_key(METRIC_SNAPSHOTS, "2026-01-07", "late00000001")
    s3.put_object(Bucket=BUCKET, Key=key, Body=encode_records(late))
    puts.clear()

    # S3 URL-encodes the key in its events.
    summary = handler.lambda_handler(object_created(key.replace("=", "%3D")), Context())

    assert summary["trigger"] == f"object {key}" and summary["outcomes"] == {"written": 1}
    assert puts == [compacted_key(METRIC_SNAPSHOTS, "2026-01-07"), COMPACTION_STATE_KEY]
    body = s3.get_object(Bucket=BUCKET, Key=compacted_key(METRIC_SNAPSHOTS, "2026-01-07"))["Body"].read()
    assert sum(1 for row in decode_parquet(body) if row["pipeline_execution_id"] == "late00000001") == len(late)


def test_todays_snapshot_events_cost_one_listing(aws):
    handler, _s3, _glue, puts = aws
    calls: list[str] = []
    handler.STORE.client.meta.events.register("provide-client-params.s3", lambda event_name, **_: calls.append(event_name.split(".")[-1]))
    key = object_key(METRIC_SNAPSHOTS, "2026-02-01", "today0000001")

    summary = handler.lambda_handler(object_created(key), Context())

    assert summary["outcomes"] == {"skipped-not-compacted": 1}
    assert calls == ["ListObjectsV2"] and puts == []


def test_a_manual_invocation_compacts_the_days_it_names(aws):
    handler, s3, _glue, _puts = aws
    summary = handler.lambda_handler({"days": ["2026-01-05", "2026-01-06"]}, Context())
    assert summary["trigger"] == "days" and summary["days"] == 2
    state = CompactionState.decode(s3.get_object(Bucket=BUCKET, Key=COMPACTION_STATE_KEY)["Body"].read())
    assert state.ranges("metric_snapshots") == (("2026-01-05", "2026-01-06"),)


def test_a_corrupt_object_fails_the_invocation_after_the_other_days_are_recorded(aws):
    handler, s3, glue, _puts = aws
    s3.put_object(Bucket=BUCKET, Key="raw/metric_snapshots/dt=2026-01-10/corrupt.json.gz", Body=b"not gzip")

    with pytest.raises(handler.CompactionFailed, match=r"1 day\(s\) failed: metric_snapshots 2026-01-10: BadGzipFile"):
        handler.lambda_handler(scheduled("2026-01-20T01:30:00Z"), Context())

    ranges = (("2026-01-05", "2026-01-09"), ("2026-01-11", "2026-01-16"))
    assert view_of(glue, "metric_snapshots") == view_sql(METRIC_SNAPSHOTS, ranges)


def test_a_0_byte_object_fails_the_invocation_so_the_failed_runs_alarm_fires(aws):
    """Raising is what alarms: EventBridge invokes asynchronously, Lambda retries, then the invocation goes
    to the FailedRuns queue, whose NotEmpty alarm notifies (tests/infrastructure/test_compaction_stack.py)."""
    handler, s3, glue, _puts = aws
    key = "raw/metric_snapshots/dt=2026-01-10/emptyobject0.json.gz"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"")

    with pytest.raises(handler.CompactionFailed, match=rf"1 day\(s\) failed: metric_snapshots 2026-01-10: .*{key}"):
        handler.lambda_handler(scheduled("2026-01-20T01:30:00Z"), Context())

    ranges = (("2026-01-05", "2026-01-09"), ("2026-01-11", "2026-01-16"))
    assert view_of(glue, "metric_snapshots") == view_sql(METRIC_SNAPSHOTS, ranges)  # the day still reads from raw
    assert s3.head_object(Bucket=BUCKET, Key=key)["ContentLength"] == 0
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="compacted/metric_snapshots/dt=2026-01-10/").get("KeyCount")
    assert listed == 0


def test_a_folder_that_is_not_a_day_is_logged_and_does_not_stop_the_schedule(aws, caplog):
    handler, s3, _glue, _puts = aws
    s3.put_object(Bucket=BUCKET, Key="raw/metric_snapshots/dt=garbage/x.json.gz", Body=b"not ours")

    summary = handler.lambda_handler(scheduled("2026-01-20T01:30:00Z"), Context())

    assert summary["failures"] == [] and summary["days"] == 15  # 12 days of the fixture, 3 looked back on
    assert any("raw/metric_snapshots/dt=garbage/" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ([], "takes a JSON object"),
        ({"source": "aws.sagemaker"}, "not a compactor event"),
        (object_created("raw/metric_snapshots/dt=2026-01-07/x.json.gz", bucket="someone-else"), "not the lake bucket"),
        ({"source": "aws.s3", "detail-type": "Object Created", "detail": {}}, "no detail.bucket.name"),
        (scheduled("2026-01-20T01:30:00"), "has no time zone"),
        ({"days": "2026-01-05"}, "must be a list"),
        ({"days": ["2026-1-5"]}, "not a day"),
    ],
)
def test_a_malformed_event_raises_with_one_line(aws, event, message):
    handler, *_ = aws
    with pytest.raises(ValueError, match=message):
        handler.lambda_handler(event, Context())


def test_s3_conditional_writes_refuse_a_stale_or_duplicate_write(aws):
    handler, *_ = aws
    store = handler.STORE
    etag = store.put("compacted/probe", b"one", replaces=None)
    with pytest.raises(PreconditionFailed):
        store.put("compacted/probe", b"two", replaces=None)
    newer = store.put("compacted/probe", b"two", replaces=etag)
    with pytest.raises(PreconditionFailed):
        store.put("compacted/probe", b"three", replaces=etag)
    assert store.get("compacted/probe").data == b"two" and store.get("compacted/probe").etag == newer
    assert store.get("compacted/missing") is None
    assert store.list_partitions("raw/metric_snapshots")[:2] == ["2026-01-05", "2026-01-06"]
