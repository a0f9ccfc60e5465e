"""The compactor Lambda (docs/compaction.md): ``compactor.handler.lambda_handler``.

Triggers:

- the daily schedule (EventBridge "Scheduled Event"): the last ``LOOKBACK_DAYS`` days before the
  event's UTC date, plus every older day with raw objects that was never compacted;
- "Object Created" in the lake bucket (EventBridge notifications) under a raw prefix: that object's day
  is recompacted if it is compacted already (a late snapshot), otherwise left to raw;
- a manual invocation ``{"days": ["YYYY-MM-DD", ...]}`` or ``{"all_days": true}`` (backfill, repair).

Then the Glue views get the compacted day ranges. A day that fails (a corrupt raw object) is reported
and the invocation raises at the end, after the other days are recorded: Lambda retries, then the
failure queue (whose alarm calls a person).

Imports only the standard library, boto3, pyarrow (AWS's SDK-for-pandas layer) and ``mlmeta.lake``.
No Powertools: that layer would not fit beside the pandas layer in Lambda's 250 MB; the function logs
as JSON through Lambda's own log format.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import unquote_plus

import boto3

from compactor.glue_views import sync_views
from compactor.s3_store import S3ObjectStore
from mlmeta.lake.compaction import CompactionReport, compact, compact_late_object, raw_days, scheduled_days, stray_folders
from mlmeta.lake.compaction_state import compacted_ranges
from mlmeta_contract.events import OBJECT_CREATED, S3_SOURCE, SCHEDULE_SOURCE, SCHEDULED_EVENT
from mlmeta_contract.handlers import GLUE_DATABASE, LAKE_BUCKET, LOOKBACK_DAYS
from mlmeta_contract.lake.schema import TABLES

DEFAULT_LOOKBACK_DAYS = 3
# Stop starting new days this close to the timeout; the state records what was done.
STOP_MARGIN_MS = 60_000

logger = logging.getLogger("mlmeta.compactor")
logger.setLevel(logging.INFO)


class CompactionFailed(RuntimeError):
    """Some days could not be compacted; raised so that Lambda retries and the failure queue keeps it."""


def _setting(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if not value:
        raise RuntimeError(f"environment variable {name} is required")
    return value


def _lookback_days() -> int:
    text = _setting(LOOKBACK_DAYS, str(DEFAULT_LOOKBACK_DAYS))
    if not text.isdigit() or not 1 <= int(text) <= 366:
        raise RuntimeError(f"environment variable {LOOKBACK_DAYS} must be 1 to 366 days, not {text!r}")
    return int(text)


BUCKET = _setting(LAKE_BUCKET)
DATABASE = _setting(GLUE_DATABASE)
LOOKBACK = _lookback_days()
STORE = S3ObjectStore(boto3.client("s3"), BUCKET)
GLUE = boto3.client("glue")


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    def should_stop() -> bool:
        return context is not None and context.get_remaining_time_in_millis() < STOP_MARGIN_MS

    trigger, report = _run(event, should_stop)
    if not trigger.startswith("object "):
        # Folders like dt=garbage are not the lake's; they are left alone and never stop the real days.
        for folder in stray_folders(STORE):
            logger.warning(json.dumps({"skipped_folder": folder, "reason": "its dt is not a day (YYYY-MM-DD)"}))
    # An object event that changed no range leaves the views alone (most events are today's snapshots);
    # the other triggers also put back views a deploy reset.
    resync = not trigger.startswith("object ") or (report is not None and report.state_written)
    updated = sync_views(GLUE, DATABASE, TABLES, compacted_ranges(STORE)) if resync else []
    summary = {"trigger": trigger, **(report.summary() if report else {"skipped": "not a raw object of the lake"}), "views_updated": updated}
    logger.info(json.dumps(summary, sort_keys=True))
    if report is not None and report.failures:
        raise CompactionFailed(f"{len(report.failures)} day(s) failed: {'; '.join(summary['failures'])}")
    return summary


def _run(event: dict[str, Any], should_stop) -> tuple[str, CompactionReport | None]:
    if not isinstance(event, dict):
        raise ValueError(f"the compactor takes a JSON object, not {type(event).__name__}")
    if event.get("source") == SCHEDULE_SOURCE and event.get("detail-type") == SCHEDULED_EVENT:
        today = _event_day(event.get("time"))
        return "schedule", compact(STORE, scheduled_days(STORE, today, LOOKBACK), should_stop=should_stop)
    if event.get("source") == S3_SOURCE and event.get("detail-type") == OBJECT_CREATED:
        bucket, key = _object_of(event)
        if bucket != BUCKET:
            raise ValueError(f"object event of bucket {bucket!r}, not the lake bucket {BUCKET!r}")
        return f"object {key}", compact_late_object(STORE, key, today=_event_day(event.get("time")))
    if "days" in event:
        days = event["days"]
        if not isinstance(days, list) or not all(isinstance(d, str) for d in days):
            raise ValueError('"days" must be a list of YYYY-MM-DD strings')
        return "days", compact(STORE, days, should_stop=should_stop)
    if event.get("all_days") is True:
        return "all days", compact(STORE, raw_days(STORE), should_stop=should_stop)
    raise ValueError("not a compactor event: a Scheduled Event, an S3 Object Created event, {\"days\": [...]} or {\"all_days\": true}")


def _event_day(time: object) -> date:
    if not isinstance(time, str):
        raise ValueError("the event has no time")
    moment = datetime.fromisoformat(time.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"the event's time {time!r} has no time zone")
    return moment.astimezone(timezone.utc).date()


def _object_of(event: dict[str, Any]) -> tuple[str, str]:
    detail = event.get("detail") or {}
    try:
        bucket, key = detail["bucket"]["name"], detail["object"]["key"]
    except (KeyError, TypeError):
        raise ValueError("the Object Created event has no detail.bucket.name or detail.object.key") from None
    # S3 sends keys URL-encoded in its notifications; the lake's keys never contain '%' or '+' themselves.
    return bucket, unquote_plus(key)
