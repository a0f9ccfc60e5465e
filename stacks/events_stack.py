"""The events stack (stateless): EventBridge rules that route SageMaker events to the four handler
Lambdas (tagger, naming guard, snapshotter, reconciler), the queues where failed and malformed events
wait for a person, the notices topic, alarms, and optionally a CloudTrail trail.

A stack only composes; each piece is a construct under ``stacks/events/``. Which events go where, and
each handler's environment, come from ``mlmeta.events`` (shared with ``mlmeta replay``). The lake's
bucket and key arrive as weak cross-stack references (``Fn::GetStackOutput``, no export).

Nothing here holds data, except the queues (messages waiting for a person) and the optional trail
bucket; their logical IDs are pinned by tests/infrastructure/test_events_stack.py.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack, Token, Tokenization
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from mlmeta.config import EnvironmentSettings
from mlmeta.doctor.probe_event import QUEUE_URL_OUTPUT
from mlmeta.events.handlers import HANDLERS, EventResources, HandlerSpec, handler_environment, environment_pipeline_names
from mlmeta.events.routes import routes
from stacks.common.alarmed_queue import AlarmedQueue
from stacks.common.removal import removal_policy
from stacks.events.doctor_probe import DoctorProbe
from stacks.events.handler_function import EventHandlerFunction
from stacks.common.iam import weak_references
from stacks.events.notices import NoticesTopic
from stacks.events.permissions import HandlerAccess
from stacks.events.rules import EventRules
from stacks.events.trail import ManagementEventsTrail
from stacks.tracking.target import SAGEMAKER, TrackingTarget


class EventsStack(Stack):
    """Stateless: no termination protection; log groups and the optional trail follow ``retain_data``."""

    functions: dict[str, EventHandlerFunction]
    rules: EventRules
    notices: NoticesTopic
    quarantine: AlarmedQueue
    delivery_failures: AlarmedQueue
    failed_invocations: AlarmedQueue
    trail: ManagementEventsTrail | None
    doctor_probe: DoctorProbe

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: EnvironmentSettings,
        lake_bucket: s3.IBucket,
        lake_key: kms.IKey,
        tracking: TrackingTarget = SAGEMAKER,
        **kwargs,
    ) -> None:
        if not settings.use_cases:
            raise ValueError(f"environment {settings.name} has no use cases: there are no pipelines to handle events of")
        super().__init__(
            scope,
            construct_id,
            description=f"mlmeta {settings.name}: EventBridge rules, handler Lambdas, failure queues, notices. Stateless.",
            **kwargs,
        )
        kept = removal_policy(settings)

        self.notices = NoticesTopic(self, "Notices", environment=settings.name, subscribers=settings.notice_subscribers)
        topic = self.notices.topic
        self.quarantine = AlarmedQueue(self, "Quarantine", holds="malformed events the handlers refused", topic=topic)
        self.delivery_failures = AlarmedQueue(
            self, "DeliveryFailures", holds="events EventBridge could not deliver to a handler", topic=topic
        )
        self.failed_invocations = AlarmedQueue(
            self, "FailedInvocations", holds="events a handler failed on after Lambda's retries", topic=topic
        )

        resources = EventResources(
            lake_bucket=lake_bucket.bucket_name,
            quarantine_queue_url=self.quarantine.queue.queue_url,
            notices_topic_arn=topic.topic_arn,
            mlflow_tracking_uri=tracking.uri,
        )
        access = HandlerAccess(
            stack=self,
            environment=settings.name,
            use_cases=tuple(use_case.name for use_case in settings.use_cases),
            pipeline_names=environment_pipeline_names(settings),
            lake_bucket=lake_bucket,
            lake_key=lake_key,
            notices_topic=topic,
            notices_key=self.notices.key,
            quarantine_queue=self.quarantine.queue,
            convention=settings.convention,
            nag_external_references=_references_from(self, lake_bucket.bucket_arn, tracking.arn),
            tracking=tracking,
        )
        self.functions = {
            spec.name: EventHandlerFunction(
                self,
                construct_id_of(spec),
                spec=spec,
                environment=handler_environment(spec, settings, resources),
                access=access,
                failure_queue=self.failed_invocations.queue,
                log_retention_days=settings.retention.log_retention_days,
                log_removal_policy=kept,
            )
            for spec in HANDLERS
        }
        self.rules = EventRules(
            self,
            "Rules",
            routes=routes(settings),
            functions={name: handler.function for name, handler in self.functions.items()},
            dead_letter_queue=self.delivery_failures.queue,
        )
        self.trail = (
            ManagementEventsTrail(self, "Trail", environment=settings.name, retention=settings.retention, removal_policy=kept)
            if settings.create_trail
            else None
        )
        self.doctor_probe = DoctorProbe(self, "DoctorProbe", environment=settings.name, dead_letter_queue=self.delivery_failures.queue)

        CfnOutput(self, "NoticesTopicArn", value=topic.topic_arn, description="Subscribe here: naming violations and alarms")
        CfnOutput(self, "QuarantineQueueUrl", value=self.quarantine.queue.queue_url, description="Malformed events, as received")
        CfnOutput(self, QUEUE_URL_OUTPUT, value=self.doctor_probe.queue.queue_url, description="Where mlmeta doctor's probe events arrive")


def _references_from(consumer: Stack, *values: str | None) -> dict[str, str]:
    """How cdk-nag shows each of ``values`` that another stack produces (the lake's bucket, the MLflow server)."""
    shown: dict[str, str] = {}
    for value in values:
        if value is None or not Token.is_unresolved(value):
            continue
        producer = _producer(value, consumer)
        if producer is not None and producer is not consumer:
            shown.update(weak_references(producer, value))
    return shown


def _producer(value: str, consumer: Stack) -> Stack | None:
    """The stack whose resource ``value`` (a token) refers to."""
    for reference in Tokenization.reverse_string(value).tokens:
        target = getattr(reference, "target", None)
        if target is not None:
            return Stack.of(target)
    return None


def construct_id_of(spec: HandlerSpec) -> str:
    """``naming-guard`` -> ``NamingGuard``."""
    return "".join(word.capitalize() for word in spec.name.split("-"))
