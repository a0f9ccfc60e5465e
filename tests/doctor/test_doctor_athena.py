"""The workgroup and its named queries on moto; a DISABLED workgroup, and Athena's answer to an unknown
one (InvalidRequestException), through the Stubber: moto has no UpdateWorkGroup and answers an unknown
workgroup with an empty response (the check handles both)."""

from __future__ import annotations

from doctor_shapes import work_group
from doctor_world import context, moto_client, stubbed

from mlmeta.doctor.athena import check_named_queries, check_workgroup


def create_workgroup(*queries: str) -> None:
    athena = moto_client("athena")
    athena.create_work_group(Name="mlmeta-dev")
    for name in queries:
        athena.create_named_query(Name=name, Database="mlmeta_dev", QueryString="SELECT 1", WorkGroup="mlmeta-dev")


def test_an_enabled_workgroup_passes():
    create_workgroup()
    result = check_workgroup(context())
    assert (result.ok, result.detail) == (True, "mlmeta-dev is ENABLED")


def test_a_missing_workgroup_fails_whether_athena_says_so_or_returns_nothing():
    # moto: an empty response.
    result = check_workgroup(context())
    assert (result.ok, result.detail) == (False, "no workgroup mlmeta-dev in ap-northeast-1")
    # Athena: InvalidRequestException.
    athena, stub = stubbed("athena")
    stub.add_client_error("get_work_group", "InvalidRequestException", "WorkGroup mlmeta-dev is not found.", 400)
    with stub:
        result = check_workgroup(context(athena=athena))
    assert (result.ok, result.detail) == (False, "no workgroup mlmeta-dev in ap-northeast-1")
    assert "mlmeta-dev-lake" in result.fix


def test_a_disabled_workgroup_fails_with_the_command_that_enables_it():
    athena, stub = stubbed("athena")
    stub.add_response("get_work_group", work_group("mlmeta-dev", "DISABLED"), {"WorkGroup": "mlmeta-dev"})
    with stub:
        result = check_workgroup(context(athena=athena))
    assert (result.ok, result.detail) == (False, "mlmeta-dev is DISABLED: it runs no query")
    assert result.fix == "aws athena update-work-group --work-group mlmeta-dev --state ENABLED"


def test_every_query_of_the_checkout_in_the_workgroup_passes():
    create_workgroup("metric_history", "runs", "a_query_made_in_the_console")
    result = check_named_queries(context(), ["metric_history", "runs"])
    assert (result.ok, result.detail) == (True, "all 2 mlmeta/queries/sql/*.sql are named queries of mlmeta-dev")


def test_a_query_of_the_checkout_the_deployment_lacks_fails():
    create_workgroup("metric_history")
    result = check_named_queries(context(), ["metric_history", "metric_drift", "runs"])
    assert (result.ok, result.detail) == (False, "2 of the 3 mlmeta/queries/sql/*.sql are not named queries of mlmeta-dev: metric_drift, runs")
    assert result.fix == "the deployed lake stack is older than the checkout: make deploy ENV=dev"
