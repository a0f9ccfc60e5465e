"""The events stack's rules, queues and functions, read from the stack's resources on moto; a function in
a failed state (which moto does not reach) through the Stubber with GetFunctionConfiguration's shape."""

from __future__ import annotations

from doctor_world import context, create_stack, events_stack_resources, moto_client, settings, stubbed

from mlmeta.doctor.deployed_stacks import find_deployment
from mlmeta.doctor.events_resources import check_events_resources

EVENTS = "mlmeta-dev-events"


def deployed_events_stack() -> dict[str, str]:
    """The events stack on moto; physical IDs by logical ID."""
    create_stack(EVENTS, events_stack_resources("dev"))
    summaries = moto_client("cloudformation").list_stack_resources(StackName=EVENTS)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries}


def run(**overrides):
    ctx = context(settings(), **overrides)
    return {r.check: r for r in check_events_resources(ctx, find_deployment(ctx))}


def test_working_rules_queues_and_functions_pass():
    deployed_events_stack()
    results = run()
    assert [(check, r.ok, r.detail) for check, r in results.items()] == [
        ("events rules", True, f"2 rules of {EVENTS}, all working"),
        ("events queues", True, f"2 queues of {EVENTS}, all working"),
        ("events functions", True, f"1 function of {EVENTS}, all working"),
    ]


def test_a_disabled_rule_fails_with_the_command_that_enables_it():
    physical = deployed_events_stack()
    moto_client("events").disable_rule(Name=physical["RulesExecutionStarted"])
    rules = run()["events rules"]
    assert (rules.ok, rules.detail) == (False, f"1 of 2 rules: RulesExecutionStarted {physical['RulesExecutionStarted']} (DISABLED)")
    assert rules.fix == f"aws events enable-rule --name {physical['RulesExecutionStarted']}"


def test_a_queue_deleted_outside_cloudformation_fails_and_says_how_to_see_the_drift():
    physical = deployed_events_stack()
    moto_client("sqs").delete_queue(QueueUrl=physical["DeliveryFailuresQueue"])
    queues = run()["events queues"]
    assert (queues.ok, queues.detail) == (False, f"1 of 2 queues: DeliveryFailuresQueue {physical['DeliveryFailuresQueue']} (missing)")
    assert f"aws cloudformation detect-stack-drift --stack-name {EVENTS}" in queues.fix


def test_a_function_deleted_outside_cloudformation_fails():
    physical = deployed_events_stack()
    moto_client("lambda").delete_function(FunctionName=physical["TaggerHandlerFunction"])
    functions = run()["events functions"]
    assert (functions.ok, functions.detail) == (False, f"1 of 1 functions: TaggerHandlerFunction {physical['TaggerHandlerFunction']} (missing)")


def functions_check_with(name: str, **state: str):
    """The functions check when Lambda describes the function ``name`` with ``state`` (GetFunctionConfiguration's shape)."""
    lambda_, stub = stubbed("lambda")
    configuration = {
        "FunctionName": name, "FunctionArn": f"arn:aws:lambda:ap-northeast-1:123456789012:function:{name}",
        "Runtime": "python3.13", **state,
    }  # fmt: skip
    stub.add_response("get_function_configuration", configuration, {"FunctionName": name})
    with stub:
        return run(**{"lambda": lambda_})["events functions"]


def test_a_function_whose_last_update_failed_fails():
    name = deployed_events_stack()["TaggerHandlerFunction"]
    functions = functions_check_with(
        name, State="Active", LastUpdateStatus="Failed", LastUpdateStatusReason="The role defined for the function cannot be assumed by Lambda."
    )
    assert (functions.ok, functions.detail) == (False, f"1 of 1 functions: TaggerHandlerFunction {name} (last update Failed)")
    assert functions.fix.startswith(f"read why in aws lambda get-function-configuration --function-name {name}")


def test_a_function_in_a_failed_state_fails_and_an_idle_inactive_one_passes():
    name = deployed_events_stack()["TaggerHandlerFunction"]
    failed = functions_check_with(name, State="Failed", StateReason="The function could not be created.", StateReasonCode="InternalError")
    assert (failed.ok, failed.detail) == (False, f"1 of 1 functions: TaggerHandlerFunction {name} (state Failed)")
    idle = functions_check_with(name, State="Inactive", StateReason="The function is idle.", StateReasonCode="Idle", LastUpdateStatus="Successful")
    assert idle.ok


def test_an_events_stack_that_is_not_deployed_fails_each_kind():
    create_stack("mlmeta-dev-lake", {"Placeholder": {"Type": "AWS::SNS::Topic"}})
    results = run()
    assert {check: (r.ok, r.detail) for check, r in results.items()} == dict.fromkeys(
        ("events rules", "events queues", "events functions"), (False, f"stack {EVENTS} is not deployed")
    )


def test_an_events_stack_without_functions_fails_that_kind():
    create_stack(EVENTS, {"Queue": {"Type": "AWS::SQS::Queue"}})
    results = run()
    assert (results["events functions"].ok, results["events functions"].detail) == (False, f"stack {EVENTS} has no AWS::Lambda::Function")
    assert results["events queues"].ok
