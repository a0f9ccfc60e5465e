"""The trail: on moto for trails of this account (this region's, another region's multi-region trail seen
as a shadow trail); through the Stubber for an organisation trail of the management account seen from a
member account (DescribeTrails, GetTrailStatus, GetEventSelectors in their documented shapes)."""

from __future__ import annotations

from doctor_shapes import trail, trail_status
from doctor_world import context, logging_trail, moto_client, settings, stubbed

from mlmeta.doctor.trail import check_created_trail, check_trail

EXISTING = settings(create_trail=False, existing_trail="org-trail")
CREATED = "mlmeta-dev-management-events"


def cloudtrail():
    return moto_client("cloudtrail", "ap-northeast-1")


# existing_trail

def test_an_existing_trail_found_by_name_that_logs_writes_passes():
    arn = logging_trail("org-trail", read_write="All")
    result = check_trail(context(EXISTING))
    assert (result.ok, result.detail) == (True, f"existing_trail: trail {arn} is logging write management events")


def test_an_existing_trail_found_by_arn_passes():
    arn = logging_trail("org-trail")
    assert check_trail(context(settings(create_trail=False, existing_trail=arn))).ok


def test_another_regions_multi_region_trail_is_found_as_a_shadow_trail():
    arn = logging_trail("org-trail", region="us-east-1", multi_region=True)
    result = check_trail(context(EXISTING))
    assert result.ok and arn in result.detail and arn.startswith("arn:aws:cloudtrail:us-east-1:")


def test_an_organisation_trail_of_the_management_account_is_found_by_its_arn_from_a_member_account():
    org = trail("aws-controltower-BaselineCloudTrail", "111122223333", home_region="us-east-1", organisation=True, multi_region=True)
    client, stub = stubbed("cloudtrail")
    stub.add_response("describe_trails", {"trailList": [org]}, {"includeShadowTrails": True})
    stub.add_response("get_trail_status", trail_status(True), {"Name": org["TrailARN"]})
    selectors = {"TrailARN": org["TrailARN"], "AdvancedEventSelectors": [
        {"Name": "Management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]}
    stub.add_response("get_event_selectors", selectors, {"TrailName": org["TrailARN"]})
    with stub:
        result = check_trail(context(settings(create_trail=False, existing_trail=org["TrailARN"]), cloudtrail=client))
    assert (result.ok, result.detail) == (True, f"existing_trail: organisation trail {org['TrailARN']} is logging write management events")


def stub_organisation_trail(stub, org, *, selectors_error: str) -> None:
    stub.add_response("describe_trails", {"trailList": [org]}, {"includeShadowTrails": True})
    stub.add_response("get_trail_status", trail_status(True), {"Name": org["TrailARN"]})
    stub.add_client_error("get_event_selectors", selectors_error, f"Unknown trail: {org['TrailARN']} for the user: 123456789012", 400)


def test_an_organisation_trail_whose_selectors_a_member_may_not_read_is_a_warning_naming_the_owner():
    org = trail("aws-controltower-BaselineCloudTrail", "111122223333", home_region="us-east-1", organisation=True, multi_region=True)
    client, stub = stubbed("cloudtrail")
    stub_organisation_trail(stub, org, selectors_error="TrailNotFoundException")
    with stub:
        result = check_trail(context(settings(create_trail=False, existing_trail=org["TrailARN"]), cloudtrail=client))
    assert (result.ok, result.warning) == (True, True)
    assert result.detail == (
        f"existing_trail: organisation trail {org['TrailARN']} is logging; its event selectors can be read only in its "
        "account 111122223333 (TrailNotFoundException)"
    )
    assert result.fix.startswith("confirm in account 111122223333 that it selects write management events")


def test_an_existing_trail_that_is_not_there_fails_and_lists_the_trails_seen():
    arn = logging_trail("some-other-trail")
    result = check_trail(context(EXISTING))
    assert not result.ok
    assert result.detail == f"existing_trail 'org-trail' is not a trail that applies to ap-northeast-1 (trails seen: {arn})"
    assert "create_trail=True" in result.fix


def test_an_existing_trail_that_stopped_logging_fails():
    arn = logging_trail("org-trail")
    cloudtrail().stop_logging(Name="org-trail")
    result = check_trail(context(EXISTING))
    assert (result.ok, result.detail) == (False, f"existing_trail {arn} is not logging")


def test_an_existing_trail_of_read_only_management_events_fails():
    arn = logging_trail("org-trail", read_write="ReadOnly")
    result = check_trail(context(EXISTING))
    assert (result.ok, result.detail) == (False, f"existing_trail {arn} does not select write management events")
    assert "ReadWriteType All or WriteOnly" in result.fix


def test_an_existing_trail_with_advanced_selectors_of_read_only_calls_fails():
    logging_trail("org-trail")
    cloudtrail().put_event_selectors(TrailName="org-trail", AdvancedEventSelectors=[{"Name": "reads", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["true"]}]}])  # fmt: skip
    assert not check_trail(context(EXISTING)).ok


# create_trail

def test_create_trail_alone_passes_with_a_note():
    result = check_trail(context())
    assert (result.ok, result.warning) == (True, False)
    assert result.detail == f"create_trail: the events stack creates {CREATED} (write management events of ap-northeast-1)"


def test_create_trail_warns_when_another_trail_already_logs_writes():
    arn = logging_trail("company-trail", read_write="All")
    result = check_trail(context())
    assert (result.ok, result.warning) == (True, True)
    assert f"but {arn} already logs them here: every management event would be billed twice" in result.detail
    assert result.fix == f"set existing_trail='{arn}' and create_trail=False in mlmeta/config/environments.py"


def test_create_trail_does_not_warn_about_its_own_trail_or_a_trail_that_is_not_logging():
    logging_trail(CREATED)
    logging_trail("stopped-trail")
    cloudtrail().stop_logging(Name="stopped-trail")
    assert check_trail(context()).warning is False


def test_create_trail_warns_that_a_logging_organisation_trail_may_already_log_writes():
    org = trail("aws-controltower-BaselineCloudTrail", "111122223333", home_region="us-east-1", organisation=True, multi_region=True)
    client, stub = stubbed("cloudtrail")
    stub_organisation_trail(stub, org, selectors_error="AccessDeniedException")
    with stub:
        result = check_trail(context(cloudtrail=client))
    assert (result.ok, result.warning) == (True, True)
    assert f"but {org['TrailARN']} is logging and may already log them here" in result.detail


def test_create_trail_does_not_warn_about_a_trail_of_read_only_events():
    logging_trail("reads-only", read_write="ReadOnly")
    assert check_trail(context()).warning is False


def test_create_trail_does_not_warn_about_a_trail_it_may_not_read():
    other = trail("company-trail", "123456789012")
    client, stub = stubbed("cloudtrail")
    stub.add_response("describe_trails", {"trailList": [other]}, {"includeShadowTrails": True})
    stub.add_client_error("get_trail_status", "AccessDeniedException", "not authorized", 403)
    with stub:
        result = check_trail(context(cloudtrail=client))
    assert (result.ok, result.warning) == (True, False)


# post-deploy, create_trail

def test_the_created_trail_logging_writes_passes():
    logging_trail(CREATED)
    result = check_created_trail(context())
    assert (result.ok, result.detail) == (True, f"{CREATED} is logging write management events")


def test_a_created_trail_that_is_missing_fails_with_the_deploy_command():
    result = check_created_trail(context())
    assert (result.ok, result.detail) == (False, f"no trail {CREATED} in ap-northeast-1: the events stack creates it")
    assert result.fix == "node_modules/.bin/cdk deploy mlmeta-dev-events -c env=dev"


def test_a_created_trail_that_stopped_logging_fails_with_how_to_start_it():
    arn = logging_trail(CREATED)
    cloudtrail().stop_logging(Name=CREATED)
    result = check_created_trail(context())
    assert (result.ok, result.detail) == (False, f"{CREATED} is not logging")
    assert result.fix.startswith(f"aws cloudtrail start-logging --name {arn}")
