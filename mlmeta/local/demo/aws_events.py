"""The events AWS would send about the simulated history, in AWS's documented shapes (the samples in
tests/events/): EventBridge's "SageMaker Model Building Pipeline Execution Status Change" and "...
Execution Step Status Change" (camelCase fields, ISO-8601 times), and CloudTrail's "AWS API Call via
CloudTrail" for the data scientists' CreateExperiment / CreateTrial calls.

Event ids are UUIDs derived from the seed and the event's place in the history, so a seed always gives
the same events (EventBridge's are random; nothing relies on their form).
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mlmeta.local.demo.history import STOPPED, EdaAction, Execution, StepRun
from mlmeta.local.emulator import LOCAL_ACCOUNT
from mlmeta_contract.events import CLOUDTRAIL_API_CALL, EXECUTION_STATUS_CHANGE, SAGEMAKER_EVENT_SOURCE, SAGEMAKER_SOURCE, STEP_STATUS_CHANGE

Event = dict[str, Any]
_ID_NAMESPACE = uuid.UUID("6f1c2e0a-5d3b-4c8e-9a7f-2b1d0e4c6a58")
# Where a step's job is in its Metadata (ListPipelineExecutionSteps; the events say processingJob, ...).
JOB_METADATA_KEYS = {"processing": "ProcessingJob", "training": "TrainingJob"}
CLOUDTRAIL_DELAY = timedelta(minutes=2)  # CloudTrail delivers API calls to EventBridge within minutes
_CREATE_CALLS = {
    "experiment": ("CreateExperiment", "experimentName", "experimentArn"),
    "experiment-trial": ("CreateTrial", "trialName", "trialArn"),
}


@dataclass(frozen=True)
class AwsNames:
    """Where the history happens: the account, region and pipeline the ARNs name."""

    region: str
    pipeline: str
    seed: int
    account: str = LOCAL_ACCOUNT

    def arn(self, resource: str) -> str:
        return f"arn:aws:sagemaker:{self.region}:{self.account}:{resource}"

    @property
    def pipeline_arn(self) -> str:
        return self.arn(f"pipeline/{self.pipeline}")

    def execution_arn(self, execution_id: str) -> str:
        return self.arn(f"pipeline/{self.pipeline}/execution/{execution_id}")

    def job_arn(self, step: StepRun) -> str:
        return self.arn(f"{step.job_type}-job/{step.job_name}")

    def model_package_arn(self, version: int) -> str:
        return self.arn(f"model-package/{self.pipeline}/{version}")

    def event_id(self, *place: object) -> str:
        return str(uuid.uuid5(_ID_NAMESPACE, "/".join(str(part) for part in (self.seed, *place))))


def execution_events(execution: Execution, names: AwsNames, model_version: int | None) -> list[Event]:
    """Every event of one execution, in the order EventBridge delivers them (by time)."""
    execution_arn = names.execution_arn(execution.execution_id)
    timed: list[tuple[datetime, dict[str, Any], str]] = [
        (execution.start + timedelta(seconds=1), _execution_detail(execution, names, "Executing", None), EXECUTION_STATUS_CHANGE)
    ]
    for step in execution.steps:
        metadata = _camel_case(step_metadata(step, names, model_version))
        timed.append((step.start + timedelta(seconds=1), _step_detail(step, names, execution_arn, metadata, "Executing"), STEP_STATUS_CHANGE))
        timed.append((step.end + timedelta(seconds=1), _step_detail(step, names, execution_arn, metadata, step.status), STEP_STATUS_CHANGE))
    if execution.status == STOPPED:
        stopping = execution.steps[-1].end - timedelta(seconds=20)
        timed.append((stopping, _execution_detail(execution, names, "Stopping", "Executing"), EXECUTION_STATUS_CHANGE))
    previous = "Stopping" if execution.status == STOPPED else "Executing"
    timed.append((execution.end + timedelta(seconds=1), _execution_detail(execution, names, execution.status, previous), EXECUTION_STATUS_CHANGE))
    timed.sort(key=lambda item: item[0])
    resources = [names.pipeline_arn, execution_arn]
    return [
        _envelope(names, names.event_id(execution.execution_id, number), detail_type, moment, detail, resources)
        for number, (moment, detail, detail_type) in enumerate(timed)
    ]


def eda_event(action: EdaAction, resource_arn: str, names: AwsNames) -> Event:
    """CloudTrail's record of a data scientist's CreateExperiment or CreateTrial, as EventBridge delivers it."""
    event_name, name_key, arn_key = _CREATE_CALLS[action.resource_type]
    parameters = {name_key: action.name}
    if action.experiment_name is not None:
        parameters["experimentName"] = action.experiment_name
    role = f"arn:aws:sts::{names.account}:assumed-role/DataScientist/{action.user}"
    detail = {
        "eventVersion": "1.11",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROAEXAMPLEDATASCIENCE:{action.user}",
            "arn": role,
            "accountId": names.account,
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": f"arn:aws:iam::{names.account}:role/DataScientist",
                                                 "accountId": names.account, "userName": "DataScientist"}},
        },
        "eventTime": _iso(action.time),
        "eventSource": SAGEMAKER_EVENT_SOURCE,
        "eventName": event_name,
        "awsRegion": names.region,
        "sourceIPAddress": "203.0.113.10",
        "userAgent": "Boto3/1.44.8 md/Botocore#1.44.8 sagemaker-studio",
        "requestParameters": parameters,
        "responseElements": {arn_key: resource_arn},
        "requestID": names.event_id(action.name, "request"),
        "eventID": names.event_id(action.name, "cloudtrail"),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": names.account,
        "eventCategory": "Management",
    }
    return _envelope(names, names.event_id(action.name, "eventbridge"), CLOUDTRAIL_API_CALL, action.time + CLOUDTRAIL_DELAY, detail, [])


def truncated(event: Event, names: AwsNames) -> Event:
    """A malformed copy of ``event`` with its own id: its detail lost its last field (the execution ARN)."""
    broken = copy.deepcopy(event)
    broken["id"] = names.event_id(event["id"], "truncated")
    last = list(broken["detail"])[-1]
    del broken["detail"][last]
    return broken


def _envelope(names: AwsNames, event_id: str, detail_type: str, moment: datetime, detail: dict[str, Any], resources: list[str]) -> Event:
    return {
        "version": "0",
        "id": event_id,
        "detail-type": detail_type,
        "source": SAGEMAKER_SOURCE,
        "account": names.account,
        "time": _iso(moment),
        "region": names.region,
        "resources": resources,
        "detail": detail,
    }


def _execution_detail(execution: Execution, names: AwsNames, status: str, previous: str | None) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "pipelineExecutionDisplayName": f"execution-{int(execution.start.timestamp() * 1000)}",
        "currentPipelineExecutionStatus": status,
    }
    if previous is not None:
        detail["previousPipelineExecutionStatus"] = previous
    detail["executionStartTime"] = _iso(execution.start)
    if status == execution.status:  # the final status carries the end
        detail["executionEndTime"] = _iso(execution.end)
    detail["pipelineArn"] = names.pipeline_arn
    detail["pipelineExecutionArn"] = names.execution_arn(execution.execution_id)  # last: `truncated` drops it
    return detail


def step_metadata(step: StepRun, names: AwsNames, model_version: int | None) -> dict[str, Any]:
    """The step's ``Metadata`` as ListPipelineExecutionSteps shows it (PascalCase keys); step events
    carry the same with camelCase keys (``_camel_case``)."""
    if step.job_type is not None:
        return {JOB_METADATA_KEYS[step.job_type]: {"Arn": names.job_arn(step)}}
    if step.step_type == "Condition":
        return {"Condition": {"Outcome": "True"}}
    if step.step_type == "RegisterModel" and model_version is not None:
        return {"RegisterModel": {"Arn": names.model_package_arn(model_version)}}
    return {}


def _camel_case(value: Any) -> Any:
    if isinstance(value, dict):
        return {key[:1].lower() + key[1:]: _camel_case(item) for key, item in value.items()}
    return value


def _step_detail(step: StepRun, names: AwsNames, execution_arn: str, metadata: dict[str, Any], status: str) -> dict[str, Any]:
    finished = status != "Executing"
    detail: dict[str, Any] = {"metadata": metadata, "stepStartTime": _iso(step.start)}
    if finished:
        detail["stepEndTime"] = _iso(step.end)
    detail |= {
        "stepName": step.name,
        "stepType": step.step_type,
        "previousStepStatus": "Executing" if finished else "Starting",
        "currentStepStatus": status,
        "pipelineArn": names.pipeline_arn,
        "pipelineExecutionArn": execution_arn,
    }
    return detail


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
