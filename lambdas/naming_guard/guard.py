"""The naming guard: the after-creation layer of the naming convention (docs/design.md §3).

For each experiment, trial or trial component that someone creates (CloudTrail's CreateExperiment /
CreateTrial / CreateTrialComponent, or the reconciler's periodic sweep):

1. judge the name: ``classify`` it among the kinds of its resource type; compliant when at least one
   reading follows the convention (an ambiguous name is compliant: it follows the convention either
   way), otherwise a violation with the rule of the closest kind;
2. tag the resource ``mlmeta:naming=compliant|violation`` (AddTags overwrites: idempotent);
3. write one ``naming_audit`` record at ``audit/naming/dt=<creation date>/<record_id>.json.gz``, where
   the record id is derived from the entity (its resource type and name), whichever path judged it:
   a replayed CloudTrail event, or the sweep meeting an entity CloudTrail already reported, lands on the
   same object, so there is one record per entity (the sweep also skips entities that already carry
   the verdict tag, keeping CloudTrail's record, which names the actor);
4. publish a notice for violations only, its ``notice_id`` the record id, so subscribers de-duplicate
   by entity.

Nothing is ever deleted or renamed. Exempt, and not judged: trial components that SageMaker jobs
create themselves, recognised by their source (the call was made by SageMaker, the request carries a
source ARN, or the component is named ``<job>-aws-<type>-job`` and DescribeTrialComponent shows a
Source). Names that parse into another environment are left to that environment's deployment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from mlmeta_contract.lake.layout import partition_value
from mlmeta_contract.lake.schema import NAMING_AUDIT
from mlmeta_contract.naming import NamingConvention, Rule, Verdict, classify
from mlmeta_runtime.dispatch import handles
from mlmeta_runtime.errors import is_not_found
from mlmeta_runtime.events import CloudTrailApiCallEvent
from mlmeta_runtime.jobs import looks_like_job_component
from mlmeta_runtime.lake_writer import LakeObject, iso_utc, write_objects
from mlmeta_runtime.notices import publish_notice
from mlmeta_runtime.tags import TAG_NAMING, tag_dict, tag_list

SOURCE_CLOUDTRAIL = "cloudtrail"
SOURCE_SWEEP = "sweep"
NOTICE_KIND = "naming-violation"

# SageMaker's resource type (as in ARNs) -> the audit table's wording and the creating API call.
AUDIT_RESOURCE_TYPES = {"experiment": "experiment", "experiment-trial": "trial", "experiment-trial-component": "trial-component"}
CREATE_ACTIONS = {"experiment": "CreateExperiment", "experiment-trial": "CreateTrial", "experiment-trial-component": "CreateTrialComponent"}
_DESCRIBE = {
    "experiment": ("describe_experiment", "ExperimentName", "ExperimentArn"),
    "experiment-trial": ("describe_trial", "TrialName", "TrialArn"),
    "experiment-trial-component": ("describe_trial_component", "TrialComponentName", "TrialComponentArn"),
}
# Rules a name breaks before its kind is even recognisable; any other rule means it came closer.
_UNRECOGNISED_KIND = frozenset({Rule.MISSING_KIND_WORD, Rule.WRONG_SHAPE})


@dataclass(frozen=True)
class NameCheck:
    """One name to check, wherever it came from."""

    source: str  # cloudtrail | sweep
    resource_type: str  # experiment | experiment-trial | experiment-trial-component
    name: str
    arn: str | None
    actor_arn: str | None
    checked_at: datetime
    # The audit object's identity and partition: the same check replayed lands on the same key.
    record_id: str
    partition_time: datetime

    @property
    def action(self) -> str:
        return CREATE_ACTIONS[self.resource_type]


@dataclass(frozen=True)
class Judgement:
    compliant: bool
    kind: str | None  # the best reading; None for violations and ties
    rule: str
    reason: str
    environment: str | None  # the {env} the name carries, if every reading agrees on one

    @property
    def verdict(self) -> str:
        return "compliant" if self.compliant else "violation"


@dataclass(frozen=True)
class GuardResult:
    status: str  # checked | skipped
    reason: str
    verdict: str | None = None
    rule: str | None = None
    resource_arn: str | None = None
    tagged: bool = False
    audit_key: str | None = None
    notified: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def judge(name: str, resource_type: str, convention: NamingConvention) -> Judgement:
    classification = classify(name, resource_type, convention)
    if classification.compliant:
        return Judgement(True, classification.kind, str(Rule.COMPLIANT), classification.reason, _common_env(classification.candidates))
    closest = _closest(classification.checked, convention)
    return Judgement(False, None, str(closest.rule), classification.reason, None)


@handles(CloudTrailApiCallEvent)
def guard_created_name(event: CloudTrailApiCallEvent, *, sagemaker: Any, s3: Any, sns: Any, settings: Any) -> GuardResult:
    """Judge the name CloudTrail's record says was created (``settings``: the naming guard's: its convention,
    environment, lake bucket and notices topic)."""
    check = cloudtrail_check(sagemaker, event)
    if isinstance(check, str):
        return GuardResult("skipped", check)
    return check_name(
        sagemaker,
        s3,
        sns,
        check,
        convention=settings.convention,
        environment=settings.environment,
        bucket=settings.lake_bucket,
        topic_arn=settings.notices_topic_arn,
    )


def cloudtrail_check(sagemaker: Any, event: CloudTrailApiCallEvent) -> NameCheck | str:
    """The check an API call asks for, or why it needs none (a failed call, a job's own component)."""
    detail = event.detail
    if detail.error_code is not None:
        return f"{detail.event_name} failed ({detail.error_code}): nothing was created"
    exempt = _job_component_exemption(sagemaker, event)
    if exempt:
        return exempt
    name = event.resource_name
    if not isinstance(name, str):  # the event model lets only exempt calls go without a name
        return f"{detail.event_name} names no resource"
    return NameCheck(
        source=SOURCE_CLOUDTRAIL,
        resource_type=event.resource_type,
        name=name,
        arn=event.resource_arn,
        actor_arn=detail.user_identity.arn,
        checked_at=detail.event_time,
        record_id=record_id(event.resource_type, name),
        partition_time=detail.event_time,
    )


def sweep_check(resource_type: str, entity: Mapping[str, Any], *, checked_at: datetime) -> NameCheck | str:
    """The check of one entity found by the sweep (a Search result's Experiment, Trial or
    TrialComponent), or why it needs none: SageMaker made it for a job."""
    name_key, arn_key = _DESCRIBE[resource_type][1:]
    name, source = entity[name_key], entity.get("Source") or {}
    if source.get("SourceArn"):
        return f"{AUDIT_RESOURCE_TYPES[resource_type]} {name} was created by SageMaker for {source['SourceArn']}"
    return NameCheck(
        source=SOURCE_SWEEP,
        resource_type=resource_type,
        name=name,
        arn=entity.get(arn_key),
        actor_arn=None,  # Search results do not say who created the entity
        checked_at=checked_at,
        record_id=record_id(resource_type, name),
        partition_time=entity.get("CreationTime") or checked_at,
    )


def verdict_of(entity: Mapping[str, Any]) -> str | None:
    """The verdict an entity (with its ``Tags``, as Search returns it) carries if it was judged already."""
    return tag_dict(entity.get("Tags")).get(TAG_NAMING) or None


def check_name(
    sagemaker: Any,
    s3: Any,
    sns: Any,
    check: NameCheck,
    *,
    convention: NamingConvention,
    environment: str,
    bucket: str,
    topic_arn: str,
) -> GuardResult:
    judgement = judge(check.name, check.resource_type, convention)
    if judgement.environment not in (None, environment):
        return GuardResult("skipped", f"{check.name} belongs to environment {judgement.environment}; its deployment checks it")
    arn = check.arn or _describe_arn(sagemaker, check.resource_type, check.name)
    tagged = arn is not None and _tag_verdict(sagemaker, arn, judgement.verdict)
    record = audit_record(check, judgement, arn)
    audit = LakeObject(NAMING_AUDIT, partition_value(check.partition_time), check.record_id, (record,))
    [audit_key] = write_objects(s3, bucket, [audit])
    notified = False
    if not judgement.compliant:
        publish_notice(
            sns,
            topic_arn,
            kind=NOTICE_KIND,
            notice_id=check.record_id,
            subject=f"mlmeta naming violation ({environment}): {record['resource_type']} {check.name}",
            body={**record, "environment": environment, "audit_key": audit_key},
        )
        notified = True
    return GuardResult(
        "checked",
        f"{record['resource_type']} {check.name}: {judgement.verdict} [{judgement.rule}] {judgement.reason}",
        judgement.verdict,
        judgement.rule,
        arn,
        tagged,
        audit_key,
        notified,
    )


def audit_record(check: NameCheck, judgement: Judgement, arn: str | None) -> dict[str, Any]:
    return {
        "checked_at": iso_utc(check.checked_at),
        "source": check.source,
        "resource_type": AUDIT_RESOURCE_TYPES[check.resource_type],
        "resource_name": check.name,
        "resource_arn": arn,
        "verdict": judgement.verdict,
        "rule": judgement.rule,
        "reason": judgement.reason,
        "actor_arn": check.actor_arn,
        "action": check.action,
    }


def record_id(resource_type: str, name: str) -> str:
    """The audit record's id: one per entity (names are unique per resource type in an account and
    region), so every path and every replay that judges it writes the same object."""
    return hashlib.sha256(f"{resource_type}\0{name}".encode()).hexdigest()[:32]


def _job_component_exemption(sagemaker: Any, event: CloudTrailApiCallEvent) -> str | None:
    if event.resource_type != "experiment-trial-component":
        return None
    name = event.resource_name
    if event.called_by_sagemaker:
        return f"trial component {name} was created by SageMaker itself"
    if event.request_source_arn:
        return f"trial component {name} has the source {event.request_source_arn}"
    if isinstance(name, str) and looks_like_job_component(name):
        source_arn = _component_source(sagemaker, name)
        if source_arn:
            return f"trial component {name} was created by the job {source_arn}"
    return None


def _component_source(sagemaker: Any, name: str) -> str | None:
    try:
        described = sagemaker.describe_trial_component(TrialComponentName=name)
    except Exception as err:
        if is_not_found(err):
            return None
        raise
    return (described.get("Source") or {}).get("SourceArn")


def _describe_arn(sagemaker: Any, resource_type: str, name: str) -> str | None:
    """The resource's ARN when the event did not carry it; None if it no longer exists."""
    method, name_key, arn_key = _DESCRIBE[resource_type]
    try:
        return getattr(sagemaker, method)(**{name_key: name})[arn_key]
    except Exception as err:
        if is_not_found(err):
            return None
        raise


def _tag_verdict(sagemaker: Any, arn: str, verdict: str) -> bool:
    """Tag the verdict; False when the resource was deleted in the meantime (the audit still records it)."""
    try:
        sagemaker.add_tags(ResourceArn=arn, Tags=tag_list({TAG_NAMING: verdict}))
    except Exception as err:
        if is_not_found(err):
            return False
        raise
    return True


def _closest(checked: Sequence[Verdict], convention: NamingConvention) -> Verdict:
    """The violation of the kind the name came closest to: first a kind whose words the name has
    (``eda`` in an EDA trial with a bad date), then a kind without words whose shape it has, then any."""

    def distance(verdict: Verdict) -> int:
        if verdict.rule in _UNRECOGNISED_KIND:
            return 2
        return 0 if convention.compiled(verdict.kind).words else 1

    return min(checked, key=distance)  # min keeps the convention's kind order among equals


def _common_env(candidates: Sequence[Verdict]) -> str | None:
    environments = {v.parts.get("env") for v in candidates}
    return environments.pop() if len(environments) == 1 else None
