"""The reconciler's naming sweep: experiments, trials and trial components created since the last
sweep go through the naming guard's ``check_name`` with source ``sweep``, for accounts without a trail
and for whatever the CloudTrail path missed.

- **What**: SageMaker Search of ``Experiment``, ``ExperimentTrial`` and ``ExperimentTrialComponent``
  with ``CreationTime`` in the window (100 a page, oldest first). Search rather than the List APIs:
  its results carry each entity's ``Tags`` and ``Source``, so entities that already have a verdict
  (the CloudTrail path judged them: the sweep would only write a poorer record of the same entity) and
  components that SageMaker made for a job are skipped without a call each.
- **Window**: from the last sweep minus ``SWEEP_OVERLAP`` (Search is eventually consistent: an entity
  can show up a moment after its creation time) to now minus ``SWEEP_SETTLE`` (entities younger than
  that are left to the next run, so the CloudTrail path, delivered within minutes, judges them first).
  Both ends are re-checked on the returned ``CreationTime``.
- **Marker**: the S3 object ``state/reconciler/naming-sweep.json`` in the lake bucket holds the window's
  end, written only after the sweep succeeded and never moved backwards. The first run (no marker)
  sweeps the look-back window.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from aws_lambda_powertools import Logger

from mlmeta_runtime.errors import is_not_found
from mlmeta_runtime.lake_writer import iso_utc
from mlmeta_runtime.settings import Settings
from naming_guard.guard import check_name, sweep_check, verdict_of

logger = Logger(child=True)

SWEEP_MARKER_KEY = "state/reconciler/naming-sweep.json"
SWEEP_OVERLAP = timedelta(minutes=15)
SWEEP_SETTLE = timedelta(minutes=15)
SEARCH_PAGE_SIZE = 100  # Search's maximum
# SageMaker's resource type (as in ARNs) -> Search's Resource and the key of each result's entity.
SWEPT = (
    ("experiment", "Experiment", "Experiment"),
    ("experiment-trial", "ExperimentTrial", "Trial"),
    ("experiment-trial-component", "ExperimentTrialComponent", "TrialComponent"),
)


@dataclass
class SweepSummary:
    sweep_since: str | None = None
    sweep_until: str | None = None
    names_checked: int = 0
    names_exempt: int = 0
    names_already_judged: int = 0
    names_skipped: int = 0
    violations: list[str] = field(default_factory=list)


def sweep_names(clients: Any, settings: Settings, *, now: datetime, default_since: datetime, summary: SweepSummary) -> None:
    previous = read_sweep_marker(clients.s3, settings.lake_bucket)
    since, until = (previous or default_since) - SWEEP_OVERLAP, now - SWEEP_SETTLE
    summary.sweep_since, summary.sweep_until = iso_utc(since), iso_utc(until)
    for resource_type, resource, result_key in SWEPT:
        for entity in search_created(clients.sagemaker, resource, result_key, since=since, until=until):
            if verdict_of(entity):
                summary.names_already_judged += 1
                continue
            check = sweep_check(resource_type, entity, checked_at=now)
            if isinstance(check, str):
                summary.names_exempt += 1
                continue
            result = check_name(
                clients.sagemaker,
                clients.s3,
                clients.sns,
                check,
                convention=settings.convention,
                environment=settings.environment,
                bucket=settings.lake_bucket,
                topic_arn=settings.notices_topic_arn,
            )
            if result.status == "skipped":
                summary.names_skipped += 1
                continue
            summary.names_checked += 1
            if result.verdict == "violation":
                summary.violations.append(f"{check.name}: [{result.rule}]")
    write_sweep_marker(clients.s3, settings.lake_bucket, max(until, previous) if previous else until)


def search_request(resource: str, *, since: datetime, until: datetime) -> dict[str, Any]:
    """Search of ``resource`` created in [since, until), oldest first. Search takes times as
    ``YYYY-mm-dd'T'HH:MM:SS`` (UTC, whole seconds): ``since`` is rounded down, so nothing is missed."""
    return {
        "Resource": resource,
        "SearchExpression": {
            "Filters": [
                {"Name": "CreationTime", "Operator": "GreaterThanOrEqualTo", "Value": _search_time(since)},
                {"Name": "CreationTime", "Operator": "LessThan", "Value": _search_time(until)},
            ]
        },
        "SortBy": "CreationTime",
        "SortOrder": "Ascending",
        "MaxResults": SEARCH_PAGE_SIZE,
    }


def search_created(sagemaker: Any, resource: str, result_key: str, *, since: datetime, until: datetime) -> Iterator[Mapping[str, Any]]:
    kwargs = search_request(resource, since=since, until=until)
    while True:
        page = sagemaker.search(**kwargs)
        # Filtered here too: the window is the contract, whatever the API returned.
        yield from (
            entity
            for entity in (result.get(result_key) for result in page.get("Results", []))
            if entity and _in_window(entity.get("CreationTime"), since, until)
        )
        if not page.get("NextToken"):
            return
        kwargs["NextToken"] = page["NextToken"]


def read_sweep_marker(s3: Any, bucket: str) -> datetime | None:
    try:
        body = s3.get_object(Bucket=bucket, Key=SWEEP_MARKER_KEY)["Body"].read()
    except Exception as err:
        if is_not_found(err):
            return None
        raise
    try:
        return datetime.fromisoformat(json.loads(body)["last_sweep"])
    except (ValueError, KeyError, TypeError) as err:
        logger.warning(f"unreadable sweep marker s3://{bucket}/{SWEEP_MARKER_KEY} ({err}): sweeping the look-back window")
        return None


def write_sweep_marker(s3: Any, bucket: str, moment: datetime) -> None:
    body = json.dumps({"last_sweep": iso_utc(moment)}).encode()
    s3.put_object(Bucket=bucket, Key=SWEEP_MARKER_KEY, Body=body, ContentType="application/json")


def _search_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _in_window(moment: Any, since: datetime, until: datetime) -> bool:
    return isinstance(moment, datetime) and since <= moment < until
