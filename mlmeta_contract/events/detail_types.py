"""What SageMaker, CloudTrail and EventBridge send: the events' sources and detail-types, and the values of
the fields the rules filter on. The rules (``mlmeta_contract.events.routes``) match these strings and
the handlers' models (``lambdas/mlmeta_runtime/events.py``) parse them, so both read them from here.

The statuses are SageMaker's PipelineExecutionStatus and StepStatus enums as botocore's service model has
them (tests/runtime/test_status_contract.py keeps them equal; Lambda does not read botocore's model, whose
version may differ).
"""

from __future__ import annotations

SAGEMAKER_SOURCE = "aws.sagemaker"
# EventBridge's schedule rules send "aws.events"; EventBridge Scheduler "aws.scheduler".
SCHEDULE_SOURCE = "aws.events"
SCHEDULER_SOURCE = "aws.scheduler"
# The CloudTrail record's eventSource (and invokedBy of the calls SageMaker makes itself).
SAGEMAKER_EVENT_SOURCE = "sagemaker.amazonaws.com"

EXECUTION_STATUS_CHANGE = "SageMaker Model Building Pipeline Execution Status Change"
STEP_STATUS_CHANGE = "SageMaker Model Building Pipeline Execution Step Status Change"
CLOUDTRAIL_API_CALL = "AWS API Call via CloudTrail"
SCHEDULED_EVENT = "Scheduled Event"

EXECUTION_STATUSES = ("Executing", "Stopping", "Stopped", "Failed", "Succeeded", "CompletedWithFailures")
STARTED_STATUSES = ("Executing",)
# The statuses of an execution that no longer runs: its snapshots are taken then. CompletedWithFailures
# (some steps failed, the execution went on) is one: its metrics are as worth keeping as a failure's.
TERMINAL_STATUSES = ("Succeeded", "Failed", "Stopped", "CompletedWithFailures")
STEP_STATUSES = ("Starting", "Executing", "Stopping", "Stopped", "Failed", "Succeeded")

# The CloudTrail actions the naming guard judges.
GUARDED_ACTIONS = ("CreateExperiment", "CreateTrial", "CreateTrialComponent")
