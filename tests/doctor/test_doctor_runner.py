"""A whole doctor run on moto, the public-layer calls through the Stubber (see doctor_shapes.py): which
checks run in each phase, what "not deployed yet" means in each, and that the credentials gate the rest."""

from __future__ import annotations

import json

import pytest
from doctor_world import LAMBDA_TRUST, QUERIES, bootstrap, clients, deploy, moto_client, settings, stub_layer_versions, stub_public_parameters, stubbed

from mlmeta.doctor.permissions import DOCTOR_ACTIONS, action_of
from mlmeta.doctor.runner import post_deploy_checks, run_doctor

PRE = ["credentials", "cdk bootstrap", "layer Powertools", "layer AWS SDK for pandas", "trail", "data-scientist roles"]
POST = [
    "stack mlmeta-dev-lake", "stack mlmeta-dev-experiments", "stack mlmeta-dev-pipeline-churn-prediction", "stack mlmeta-dev-events",
    "stack mlmeta-dev-compaction", "stack mlmeta-dev-monitoring", "events rules", "events queues", "events functions",
    "athena workgroup", "named queries", "created trail", "event probe",
]  # fmt: skip


def healthy_clients(*, post: bool = False):
    """Clients of a bootstrapped account whose public layers resolve; (clients, stubs to check afterwards)."""
    ssm, ssm_stub = stubbed("ssm")
    lambda_, lambda_stub = stubbed("lambda")
    stub_public_parameters(ssm_stub)
    stub_layer_versions(lambda_stub)
    if post:
        summaries = moto_client("cloudformation").list_stack_resources(StackName="mlmeta-dev-events")["StackResourceSummaries"]
        (function,) = [r["PhysicalResourceId"] for r in summaries if r["ResourceType"] == "AWS::Lambda::Function"]
        lambda_stub.add_response("get_function_configuration", {"FunctionName": function, "State": "Active"}, {"FunctionName": function})
    return clients(ssm=ssm, **{"lambda": lambda_}), (ssm_stub, lambda_stub)


def run(phase, aws, stubs, environment=None, **options):
    for stub in stubs:
        stub.activate()
    results = run_doctor(environment or settings(), aws, phase=phase, expected_queries=QUERIES, probe_timeout=5, **options)
    for stub in stubs:
        stub.assert_no_pending_responses()
        stub.deactivate()
    return results


def test_pre_runs_the_pre_deploy_checks_only_and_a_healthy_account_passes_them():
    bootstrap()
    aws, stubs = healthy_clients()
    results = run("pre", aws, stubs)
    assert [(r.check, r.ok) for r in results] == [(check, True) for check in PRE]


def test_all_before_the_first_deploy_skips_each_post_deploy_check_as_not_deployed_yet():
    bootstrap()
    aws, stubs = healthy_clients()
    results = run("all", aws, stubs)
    assert [r.check for r in results] == PRE + POST == PRE + post_deploy_checks(settings())
    post = results[len(PRE):]
    assert all(r.ok and r.skipped and r.detail.startswith("not deployed yet (none of the 6 stacks of dev is in ap-northeast-1)") for r in post)
    assert all(r.ok for r in results)


def test_post_before_the_first_deploy_fails_each_post_deploy_check_as_not_deployed_yet():
    results = run_doctor(settings(), clients(), phase="post", expected_queries=QUERIES)
    assert [r.check for r in results] == ["credentials", *POST]
    assert all(not r.ok and r.detail.startswith("not deployed yet") and r.fix == "make deploy ENV=dev" for r in results[1:])


def test_all_after_a_deploy_runs_every_check_and_a_healthy_deployment_passes_them():
    bootstrap()
    deploy(settings())
    aws, stubs = healthy_clients(post=True)
    results = run("all", aws, stubs)
    assert [(r.check, r.ok, r.warning, r.skipped) for r in results] == [(c, True, False, False) for c in PRE + POST]


def test_a_partial_deployment_is_no_longer_not_deployed_yet():
    bootstrap()
    deploy(settings())
    moto_client("cloudformation").delete_stack(StackName="mlmeta-dev-monitoring")
    aws, stubs = healthy_clients(post=True)
    results = {r.check: r for r in run("all", aws, stubs)}
    assert (results["stack mlmeta-dev-monitoring"].ok, results["stack mlmeta-dev-monitoring"].detail) == (False, "not deployed")
    assert not any(r.skipped for r in results.values())


def test_failed_credentials_stop_the_run_with_one_line():
    (result,) = run_doctor(settings(account="210987654321"), clients(), phase="all")
    assert result.check == "credentials" and not result.ok
    assert result.detail.endswith("(the other checks need it and were not run)")


def test_a_call_a_check_does_not_expect_to_fail_fails_that_check_only():
    bootstrap()
    aws_ok, stubs = healthy_clients()
    cloudtrail, trail_stub = stubbed("cloudtrail")
    trail_stub.add_client_error("describe_trails", "AccessDeniedException", "not authorized to perform: cloudtrail:DescribeTrails", 400)
    aws = clients(cloudtrail=cloudtrail, ssm=aws_ok("ssm"), **{"lambda": aws_ok("lambda")})
    results = {r.check: r for r in run("pre", aws, (*stubs, trail_stub))}
    assert (results["trail"].ok, results["trail"].detail) == (False, "DescribeTrails: AccessDeniedException: not authorized to perform: cloudtrail:DescribeTrails")
    assert "docs/deploying.md" in results["trail"].fix
    assert all(r.ok for check, r in results.items() if check != "trail")


def test_post_deploy_checks_that_cannot_list_the_stacks_fail_once():
    cloudformation, stub = stubbed("cloudformation")
    stub.add_client_error("describe_stacks", "AccessDenied", "not authorized to perform: cloudformation:DescribeStacks", 403)
    with stub:
        results = run_doctor(settings(), clients(cloudformation=cloudformation), phase="post", expected_queries=QUERIES)
    assert [(r.check, r.ok) for r in results] == [("credentials", True), ("deployed stacks", False)]


def test_an_unknown_phase_is_refused():
    with pytest.raises(ValueError, match="phase must be one of pre, post, all"):
        run_doctor(settings(), clients(), phase="later")


SERVICES = ("sts", "cloudformation", "ssm", "lambda", "cloudtrail", "iam", "events", "sqs", "athena")


def test_a_whole_run_calls_exactly_what_the_documented_permissions_allow():
    with_role = settings(data_scientist_role_names=("DataScientist",))
    moto_client("iam").create_role(RoleName="DataScientist", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    bootstrap()
    deploy(with_role)
    # Someone else's message in the probe queue: the doctor hands it back (ChangeMessageVisibility).
    outputs = moto_client("cloudformation").describe_stacks(StackName="mlmeta-dev-events")["Stacks"][0]["Outputs"]
    moto_client("sqs").send_message(QueueUrl=outputs[0]["OutputValue"], MessageBody="not a probe")
    aws, stubs = healthy_clients(post=True)
    actions = set()

    def record(model, **_):
        actions.add(action_of(model.service_model.signing_name, model.name))

    for service in SERVICES:
        aws(service).meta.events.register("before-parameter-build", record)
    try:
        results = run("all", aws, stubs, environment=with_role)
    finally:
        for service in SERVICES:
            aws(service).meta.events.unregister("before-parameter-build", record)
    assert all(r.ok for r in results)
    assert actions - {None} == set(DOCTOR_ACTIONS)
